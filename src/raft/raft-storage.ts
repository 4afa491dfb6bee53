import type { HardState, LogEntry, Snapshot } from "./raft-types.ts";

/** Everything a member persisted, as read back at start. */
export interface PersistedState {
  hardState: HardState;
  /** The latest snapshot, or null when none was ever taken. */
  snapshot: Snapshot | null;
  /** The log after the snapshot, contiguous, in index order. */
  entries: LogEntry[];
}

/**
 * One durable write. Applied in this order, atomically: the snapshot (which drops every entry at or
 * below its index, and every entry when the stored entry at its index has another term: a log that
 * diverged from the leader's), then the entries (which first drop any stored entry at or above
 * `entries[0].index`: a conflicting suffix), then the hard state. Trailing entries kept in memory
 * behind a local snapshot are not kept on disk: after a restart the log starts after the snapshot.
 */
export interface PersistBatch {
  snapshot?: Snapshot;
  entries?: LogEntry[];
  hardState?: HardState;
}

/**
 * Where a raft member keeps its state. `persist` resolves only once the batch is durable (fsynced):
 * raft acknowledges nothing before. Batches submitted while an earlier one is being written are
 * grouped into one durable commit (group commit), and complete in submission order.
 */
export interface RaftStorage {
  /** Reads back what is stored, refusing (ShoalError failed_precondition) a corrupt or inconsistent store. */
  load(): Promise<PersistedState>;
  /** Durably writes a batch. */
  persist(batch: PersistBatch): Promise<void>;
  /** Drops log entries at or below `index` (covered by a snapshot already persisted). */
  compact(index: number): Promise<void>;
  close(): Promise<void>;
}

/** Seals and opens stored bytes (the raft data-encryption key); storage applies it to entry data and snapshots. */
export interface StorageCipher {
  seal(plain: Uint8Array): Uint8Array;
  open(sealed: Uint8Array): Uint8Array;
}
