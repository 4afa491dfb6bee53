import { expect, test } from "bun:test";
import { ShoalError } from "../../lib/index.ts";
import { MemoryRaftStorage } from "./memory-raft-storage.ts";
import { describeRaftStorage, entries, entry } from "./raft-storage.case.ts";

describeRaftStorage("MemoryRaftStorage", async () => {
  let current: MemoryRaftStorage | null = null;
  return {
    async open() {
      current = current ? current.reopen() : new MemoryRaftStorage();
      return current;
    },
    async dispose() {},
  };
});

/** A disk whose syncs complete only when the test says so. */
function heldDisk() {
  const pending: (() => void)[] = [];
  return { pending, sync: (complete: () => void) => void pending.push(complete) };
}

test("a crash loses exactly the batches whose sync had not completed", async () => {
  const disk = heldDisk();
  const storage = new MemoryRaftStorage({ sync: disk.sync });
  const first = storage.persist({ entries: [entry(1, 1)], hardState: { term: 1, vote: "m1", commit: 0 } });
  const second = storage.persist({ entries: [entry(2, 1)] });
  const third = storage.persist({ entries: [entry(3, 1)] });
  expect(disk.pending).toHaveLength(1); // the first sync started alone; the others wait for the next
  disk.pending[0]!();
  await first;
  expect(disk.pending).toHaveLength(2); // the second sync carries batches 2 and 3
  const fourth = storage.persist({ entries: [entry(4, 1)] });
  storage.crash();
  disk.pending[1]!(); // a sync finishing after the power loss changes nothing
  for (const lost of [second, third, fourth]) {
    const error = await lost.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShoalError);
    expect((error as ShoalError).code).toBe("unavailable");
    expect((error as ShoalError).message).toBe("storage crashed");
  }
  expect(storage.syncCount).toBe(1);
  const durable = { hardState: { term: 1, vote: "m1", commit: 0 }, snapshot: null, entries: [entry(1, 1)] };
  expect(await storage.load()).toEqual(durable);
  const restarted = storage.reopen({});
  expect(await restarted.load()).toEqual(durable);
  await restarted.persist({ entries: [entry(2, 2)] });
  expect((await restarted.load()).entries).toEqual([entry(1, 1), entry(2, 2)]);
});

test("batches submitted during a sync are grouped into the next sync and complete together, in order", async () => {
  const storage = new MemoryRaftStorage();
  const order: number[] = [];
  await Promise.all(Array.from({ length: 64 }, (_, i) => storage.persist({ entries: [entry(i + 1, 1)] }).then(() => order.push(i))));
  expect(order).toEqual(Array.from({ length: 64 }, (_, i) => i));
  expect(storage.syncCount).toBe(2);
  expect((await storage.load()).entries).toEqual(entries(1, 64, 1));
});

test("a held sync keeps its batches out of load until it completes", async () => {
  const disk = heldDisk();
  const storage = new MemoryRaftStorage({ sync: disk.sync });
  const written = storage.persist({ entries: [entry(1, 1)] });
  expect((await storage.load()).entries).toEqual([]);
  disk.pending[0]!();
  await written;
  expect((await storage.load()).entries).toEqual([entry(1, 1)]);
});

test("a storage that is still open cannot be reopened, and a crashed one refuses writes", async () => {
  const storage = new MemoryRaftStorage();
  expect(() => storage.reopen()).toThrow(/still open/);
  storage.crash();
  const error = await storage.persist({ entries: [entry(1, 1)] }).catch((e: unknown) => e);
  expect((error as ShoalError).code).toBe("unavailable");
  expect(storage.reopen()).toBeInstanceOf(MemoryRaftStorage);
});
