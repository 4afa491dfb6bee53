import { expect, test } from "bun:test";
import fc from "fast-check";
import type { PersistBatch, RaftStorage } from "../raft-storage.ts";
import { EMPTY_HARD_STATE, type HardState, type LogEntry, type Snapshot } from "../raft-types.ts";

/** A storage over a fresh store, and how to close it and open the same store again. */
export interface ModelHarness {
  storage: RaftStorage;
  reopen(current: RaftStorage): Promise<RaftStorage>;
}

/** The obvious model of a raft store: arrays filtered by index, nothing clever. */
interface Model {
  hardState: HardState;
  snapshot: Snapshot | null;
  entries: LogEntry[];
}

/** One random step, read against the model to build a batch that keeps the store consistent. */
interface Step {
  kind: "append" | "hard" | "snapshot" | "install" | "compact";
  back: number;
  count: number;
  bump: number;
  pick: number;
  vote: number;
  withHard: boolean;
  size: number;
  /** Wait for every batch submitted so far before the next one (otherwise they are in flight together). */
  settle: boolean;
}

const STEP = fc.record<Step>({
  kind: fc.constantFrom("append", "append", "append", "hard", "snapshot", "install", "compact"),
  back: fc.nat(4),
  count: fc.integer({ min: 1, max: 4 }),
  bump: fc.nat(1),
  pick: fc.double({ min: 0, max: 1, noNaN: true }),
  vote: fc.nat(2),
  withHard: fc.boolean(),
  size: fc.nat(40),
  settle: fc.boolean(),
});

const base = (m: Model) => m.snapshot?.meta.index ?? 0;
const last = (m: Model) => m.entries.at(-1)?.index ?? base(m);
const termAt = (m: Model, index: number): number | undefined =>
  index === base(m) ? (m.snapshot?.meta.term ?? 0) : m.entries.find((e) => e.index === index)?.term;
const between = (low: number, high: number, pick: number) => low + Math.floor(pick * (high - low + 1 - 1e-9));
const bytes = (size: number, seed: number) => new Uint8Array(size).map((_, i) => (seed * 31 + i) & 0xff);

function modelApply(m: Model, batch: PersistBatch): void {
  if (batch.snapshot) {
    const { index, term } = batch.snapshot.meta;
    m.entries = termAt(m, index) === term ? m.entries.filter((e) => e.index > index) : [];
    m.snapshot = batch.snapshot;
  }
  const first = batch.entries?.[0];
  if (first) m.entries = [...m.entries.filter((e) => e.index < first.index), ...batch.entries!];
  if (batch.hardState) m.hardState = batch.hardState;
}

function batchFor(m: Model, step: Step, seed: number): PersistBatch | { compactTo: number } {
  const hs = m.hardState;
  const vote = [null, "m1", "m2"][step.vote]!;
  switch (step.kind) {
    case "append": {
      const from = Math.max(base(m) + 1, hs.commit + 1, last(m) + 1 - step.back);
      const term = Math.max(1, termAt(m, from - 1)!, hs.term) + step.bump;
      const added = Array.from({ length: step.count }, (_, i) => ({ index: from + i, term, kind: "normal" as const, data: bytes(step.size, seed + i) }));
      const commit = between(hs.commit, from + step.count - 1, step.pick);
      return step.withHard ? { entries: added, hardState: { term: Math.max(term, hs.term), vote, commit } } : { entries: added };
    }
    case "hard":
      return { hardState: { term: hs.term + step.bump, vote: hs.term + step.bump > 0 ? vote : null, commit: between(hs.commit, last(m), step.pick) } };
    case "snapshot": {
      const index = between(base(m), hs.commit, step.pick);
      const meta = { index, term: termAt(m, index)!, membership: { voters: ["m1", "m2", "m3"], learners: [] } };
      return { snapshot: { meta, data: bytes(step.size, seed) } };
    }
    case "install": {
      const index = between(hs.commit + 1, last(m) + 1 + step.back, step.pick); // may land on a diverged tail
      const term = Math.max(termAt(m, last(m))!, hs.term) + 1;
      const meta = { index, term, membership: { voters: ["m1"], learners: ["m9"] } };
      return { snapshot: { meta, data: bytes(step.size, seed) }, hardState: { term, vote: null, commit: index } };
    }
    case "compact":
      return { compactTo: between(0, base(m), step.pick) };
  }
}

/** Property: any random sequence of valid batches (some in flight together) loads back, and reloads after reopening, as the model. */
export function describeRandomBatches(fresh: () => Promise<ModelHarness>): void {
  test("random sequences of batches load back exactly as a simple model says, before and after reopening", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(STEP, { minLength: 1, maxLength: 25 }), async (steps) => {
        const { storage, reopen } = await fresh();
        const model: Model = { hardState: EMPTY_HARD_STATE, snapshot: null, entries: [] };
        const inFlight: Promise<void>[] = [];
        for (const [seed, step] of steps.entries()) {
          const batch = batchFor(model, step, seed);
          if ("compactTo" in batch) inFlight.push(storage.compact(batch.compactTo));
          else {
            modelApply(model, batch);
            inFlight.push(storage.persist(batch));
          }
          if (step.settle) await Promise.all(inFlight.splice(0));
        }
        await Promise.all(inFlight);
        expect(await storage.load()).toEqual(model);
        const again = await reopen(storage);
        expect(await again.load()).toEqual(model);
        await again.close();
      }),
      { numRuns: 40 },
    );
  });
}
