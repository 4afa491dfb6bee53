import type { PersistBatch, PersistedState } from "../raft-storage.ts";
import { EMPTY_HARD_STATE, type LogEntry, type Snapshot } from "../raft-types.ts";

/** One write a storage queues: a batch, or a compaction. */
export type StorageOp = { batch: PersistBatch } | { compactTo: number };

/** A deep copy of a snapshot, so later changes to the caller's arrays never reach the store. */
export function copySnapshot(snapshot: Snapshot): Snapshot {
  const { index, term, membership } = snapshot.meta;
  const meta = { index, term, membership: { voters: [...membership.voters], learners: [...membership.learners] } };
  return { meta, data: snapshot.data.slice() };
}

/** A deep copy of a log entry. */
export function copyEntry(entry: LogEntry): LogEntry {
  return { index: entry.index, term: entry.term, kind: entry.kind, data: entry.data.slice() };
}

/** A deep copy of a batch. */
export function copyBatch(batch: PersistBatch): PersistBatch {
  const copy: PersistBatch = {};
  if (batch.snapshot) copy.snapshot = copySnapshot(batch.snapshot);
  if (batch.entries) copy.entries = batch.entries.map(copyEntry);
  if (batch.hardState) copy.hardState = { ...batch.hardState };
  return copy;
}

/**
 * The durable content of a simulated disk: what survives a crash. Writes are applied in place
 * (entries are contiguous, so positions follow from indices); reads hand out copies.
 */
export class MemoryDisk {
  #state: PersistedState = { hardState: EMPTY_HARD_STATE, snapshot: null, entries: [] };

  /** The stored state itself, not a copy: callers must not change it. */
  get state(): Readonly<PersistedState> {
    return this.#state;
  }

  /** A copy of the stored state. */
  read(): PersistedState {
    const { hardState, snapshot, entries } = this.#state;
    return { hardState: { ...hardState }, snapshot: snapshot && copySnapshot(snapshot), entries: entries.map(copyEntry) };
  }

  /** Makes an already checked, already copied operation durable. */
  apply(op: StorageOp): void {
    const state = this.#state;
    if ("compactTo" in op) {
      state.entries.splice(0, Math.max(0, op.compactTo - this.#base()));
      return;
    }
    const { snapshot, entries, hardState } = op.batch;
    if (snapshot) {
      const { index, term } = snapshot.meta;
      const base = this.#base();
      const termThere = index === base ? (state.snapshot?.meta.term ?? 0) : state.entries[index - base - 1]?.term;
      if (termThere === term && index >= base) state.entries.splice(0, index - base);
      else state.entries = [];
      state.snapshot = snapshot;
    }
    if (entries && entries.length > 0) {
      state.entries.length = Math.max(0, entries[0]!.index - this.#base() - 1);
      for (const entry of entries) state.entries.push(entry);
    }
    if (hardState) state.hardState = hardState;
  }

  #base(): number {
    return this.#state.snapshot?.meta.index ?? 0;
  }
}
