import { afterEach, describe, expect, test } from "bun:test";
import { ShoalError } from "../../lib/index.ts";
import type { RaftStorage } from "../raft-storage.ts";
import { EMPTY_HARD_STATE, type EntryKind, type LogEntry, type Snapshot } from "../raft-types.ts";
import { describeRandomBatches } from "./raft-storage-model.case.ts";

/** One durable store under test: `open()` gives a storage over it (close the previous one first). */
export interface StorageFixture {
  open(): Promise<RaftStorage>;
  dispose(): Promise<void>;
}

/** Makes a fresh, empty durable store. */
export type StorageFixtureFactory = () => Promise<StorageFixture>;

/** A log entry whose data names it. */
export function entry(index: number, term: number, kind: EntryKind = "normal", data = `entry ${index}@${term}`): LogEntry {
  return { index, term, kind, data: new TextEncoder().encode(data) };
}

/** Entries `from`…`to` of one term. */
export function entries(from: number, to: number, term: number): LogEntry[] {
  return Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));
}

/** A snapshot at `index` whose data names it. */
export function snapshot(index: number, term: number, data: Uint8Array = new TextEncoder().encode(`state@${index}`)): Snapshot {
  return { meta: { index, term, membership: { voters: ["m1", "m2", "m3"], learners: ["m4"] } }, data };
}

/** The conformance suite every RaftStorage implementation passes (hono's common.case.test.ts style). */
export function describeRaftStorage(name: string, createFixture: StorageFixtureFactory): void {
  describe(`${name} (RaftStorage conformance)`, () => {
    const open: { fixture: StorageFixture; storages: RaftStorage[] }[] = [];
    afterEach(async () => {
      for (const { fixture, storages } of open.splice(0)) {
        for (const storage of storages) await storage.close().catch(() => {});
        await fixture.dispose();
      }
    });
    /** A fresh store: the storage, and `reopen()` that closes it and opens the same store again. */
    async function fresh(): Promise<{ storage: RaftStorage; reopen(current: RaftStorage): Promise<RaftStorage> }> {
      const fixture = await createFixture();
      const tracked = { fixture, storages: [] as RaftStorage[] };
      open.push(tracked);
      const storage = await fixture.open();
      tracked.storages.push(storage);
      return {
        storage,
        async reopen(current) {
          await current.close();
          const next = await fixture.open();
          tracked.storages.push(next);
          return next;
        },
      };
    }

    test("an empty store loads the empty state", async () => {
      const { storage } = await fresh();
      expect(await storage.load()).toEqual({ hardState: EMPTY_HARD_STATE, snapshot: null, entries: [] });
    });

    test("appended entries load back in index order with their kinds and bytes", async () => {
      const { storage } = await fresh();
      const log = [entry(1, 1, "noop"), entry(2, 1, "config"), entry(3, 2, "normal", "x".repeat(10_000))];
      await storage.persist({ entries: log.slice(0, 2) });
      await storage.persist({ entries: log.slice(2) });
      expect((await storage.load()).entries).toEqual(log);
    });

    test("entries that conflict replace the stored suffix from their first index", async () => {
      const { storage } = await fresh();
      await storage.persist({ entries: entries(1, 6, 1) });
      await storage.persist({ entries: [entry(4, 2), entry(5, 2)] });
      expect((await storage.load()).entries).toEqual([...entries(1, 3, 1), entry(4, 2), entry(5, 2)]);
    });

    test("a hard state persists on its own", async () => {
      const { storage } = await fresh();
      await storage.persist({ hardState: { term: 3, vote: "m2", commit: 0 } });
      expect(await storage.load()).toEqual({ hardState: { term: 3, vote: "m2", commit: 0 }, snapshot: null, entries: [] });
    });

    test("a snapshot drops the entries it covers and keeps the later ones", async () => {
      const { storage } = await fresh();
      await storage.persist({ entries: entries(1, 10, 1), hardState: { term: 1, vote: "m1", commit: 7 } });
      await storage.persist({ snapshot: snapshot(7, 1) });
      const state = await storage.load();
      expect(state.snapshot).toEqual(snapshot(7, 1));
      expect(state.entries).toEqual(entries(8, 10, 1));
      expect(state.hardState).toEqual({ term: 1, vote: "m1", commit: 7 });
    });

    test("a received snapshot that does not match the stored entry at its index drops the whole log", async () => {
      const { storage } = await fresh();
      await storage.persist({ entries: entries(1, 10, 1), hardState: { term: 1, vote: null, commit: 3 } });
      await storage.persist({ snapshot: snapshot(6, 2), hardState: { term: 2, vote: null, commit: 6 } });
      const state = await storage.load();
      expect(state.snapshot?.meta.index).toBe(6);
      expect(state.entries).toEqual([]);
    });

    test("a snapshot, entries and a hard state persist together in one batch", async () => {
      const { storage } = await fresh();
      await storage.persist({ entries: entries(1, 3, 1) });
      const batch = { snapshot: snapshot(20, 4), entries: entries(21, 23, 5), hardState: { term: 5, vote: "m3", commit: 22 } };
      await storage.persist(batch);
      expect(await storage.load()).toEqual({ hardState: batch.hardState, snapshot: batch.snapshot, entries: batch.entries });
    });

    test("a snapshot larger than one stored chunk round-trips byte for byte", async () => {
      const { storage } = await fresh();
      const data = new Uint8Array(3 * 1024 * 1024 + 123).map((_, i) => (i * 7 + (i >> 12)) & 0xff);
      await storage.persist({ snapshot: snapshot(5, 2, data), hardState: { term: 2, vote: null, commit: 5 } });
      await storage.persist({ snapshot: snapshot(9, 2, data.subarray(0, 10)), hardState: { term: 2, vote: null, commit: 9 } });
      await storage.persist({ snapshot: snapshot(12, 3, data), hardState: { term: 3, vote: null, commit: 12 } });
      const loaded = (await storage.load()).snapshot!;
      expect(loaded.data.byteLength).toBe(data.byteLength);
      expect(Buffer.from(loaded.data).equals(Buffer.from(data))).toBe(true);
    });

    test("compaction up to the snapshot index keeps the log; past it is refused", async () => {
      const { storage } = await fresh();
      await storage.persist({ entries: entries(1, 10, 1), hardState: { term: 1, vote: null, commit: 8 } });
      await storage.persist({ snapshot: snapshot(5, 1) });
      await storage.compact(5);
      await storage.compact(2);
      expect((await storage.load()).entries).toEqual(entries(6, 10, 1));
      const refused = await storage.compact(6).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ShoalError);
      expect((refused as ShoalError).code).toBe("failed_precondition");
      expect((await storage.load()).entries).toEqual(entries(6, 10, 1));
    });

    test("reopening the store returns the same durable state", async () => {
      const { storage, reopen } = await fresh();
      await storage.persist({ entries: entries(1, 10, 1), hardState: { term: 2, vote: "m1", commit: 9 } });
      await storage.persist({ snapshot: snapshot(4, 1), entries: [entry(10, 2)] });
      const before = await storage.load();
      const again = await reopen(storage);
      expect(await again.load()).toEqual(before);
      await again.persist({ entries: [entry(11, 2)] });
      expect((await (await reopen(again)).load()).entries.at(-1)).toEqual(entry(11, 2));
    });

    test("many concurrent persists complete in submission order and all are stored", async () => {
      const { storage } = await fresh();
      const completed: number[] = [];
      const all = Array.from({ length: 64 }, (_, i) =>
        storage.persist({ entries: [entry(i + 1, 1)], hardState: { term: 1, vote: null, commit: i } }).then(() => completed.push(i + 1)),
      );
      await Promise.all(all);
      expect(completed).toEqual(Array.from({ length: 64 }, (_, i) => i + 1));
      const state = await storage.load();
      expect(state.entries).toEqual(entries(1, 64, 1));
      expect(state.hardState.commit).toBe(63);
    });

    test("a batch that would leave an inconsistent state is refused and nothing of it is stored", async () => {
      const { storage } = await fresh();
      await storage.persist({ entries: entries(1, 3, 2), hardState: { term: 2, vote: "m1", commit: 2 } });
      const refusals = [
        { entries: [entry(5, 2)] }, // a gap after 3
        { entries: [entry(4, 1)] }, // a term below the entry before
        { entries: [entry(1, 2), entry(3, 2)] }, // not contiguous
        { hardState: { term: 2, vote: null, commit: 4 } }, // commit beyond the last entry
        { hardState: { term: 0, vote: "m1", commit: 0 } }, // a vote without a term
        { snapshot: snapshot(2, 2), entries: [entry(2, 2)] }, // entries covered by the snapshot
        { snapshot: snapshot(2, 2), hardState: { term: 2, vote: null, commit: 1 } }, // commit below the snapshot
      ];
      for (const batch of refusals) {
        const error = await storage.persist(batch).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ShoalError);
        expect((error as ShoalError).code).toBe("invalid_argument");
      }
      await storage.persist({ entries: [entry(4, 3)] });
      expect(await storage.load()).toEqual({ hardState: { term: 2, vote: "m1", commit: 2 }, snapshot: null, entries: [...entries(1, 3, 2), entry(4, 3)] });
    });

    test("a persisted batch does not change when the caller reuses its arrays", async () => {
      const { storage } = await fresh();
      const data = new TextEncoder().encode("original");
      const batch: { entries: LogEntry[] } = { entries: [{ index: 1, term: 1, kind: "normal", data }] };
      const written = storage.persist(batch);
      data.fill(0);
      batch.entries.push(entry(2, 1));
      await written;
      expect((await storage.load()).entries).toEqual([entry(1, 1, "normal", "original")]);
    });

    test("a closed storage refuses further writes and closing twice is harmless", async () => {
      const { storage } = await fresh();
      await storage.persist({ entries: [entry(1, 1)] });
      await storage.close();
      await storage.close();
      const error = await storage.persist({ entries: [entry(2, 1)] }).catch((e: unknown) => e);
      expect((error as ShoalError).code).toBe("failed_precondition");
    });

    describeRandomBatches(async () => {
      const { storage, reopen } = await fresh();
      return { storage, reopen };
    });
  });
}
