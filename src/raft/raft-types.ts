/**
 * The raft library's own vocabulary. It knows nothing of swarm objects: entries carry opaque bytes.
 */

/** A member's ID in the raft group (the node ID of a manager). */
export type MemberId = string;

/** What an entry carries: state-machine bytes, a membership change, or the no-op a new leader appends. */
export type EntryKind = "normal" | "config" | "noop";

/** One log entry. */
export interface LogEntry {
  index: number;
  term: number;
  kind: EntryKind;
  /** Opaque to raft: the state machine's command, or an encoded {@link ConfigChange}. */
  data: Uint8Array;
}

/** What must survive a crash besides the log: the current term, the vote cast in it, the commit index. */
export interface HardState {
  term: number;
  vote: MemberId | null;
  commit: number;
}

/** The voters and learners of the group. */
export interface Membership {
  voters: MemberId[];
  learners: MemberId[];
}

/** Describes a snapshot: the last entry it covers and the membership at that point. */
export interface SnapshotMeta {
  index: number;
  term: number;
  membership: Membership;
}

/** A state-machine snapshot and what it covers. */
export interface Snapshot {
  meta: SnapshotMeta;
  /** Opaque state-machine bytes. */
  data: Uint8Array;
}

/** The initial hard state of a member that has never run. */
export const EMPTY_HARD_STATE: HardState = Object.freeze({ term: 0, vote: null, commit: 0 }) as HardState;
