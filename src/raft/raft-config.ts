import type { HardState, LogEntry, MemberId, Snapshot } from "./raft-types.ts";
import type { RaftMessage } from "./raft-message.ts";

/** Settings of one raft member. */
export interface RaftConfig {
  id: MemberId;
  /** Ticks without a leader before a follower campaigns (randomized in [n, 2n)). */
  electionTicks: number;
  /** Ticks between a leader's heartbeats. */
  heartbeatTicks: number;
  /** Ask for pre-votes first, so a rejoining member cannot depose a healthy leader. */
  preVote: boolean;
  /** A leader steps down when it has not heard from a quorum for an election timeout. */
  checkQuorum: boolean;
  /** Appends in flight to one follower at once. */
  maxInflight: number;
  /** Entry bytes in one append. */
  maxAppendBytes: number;
  /** Log entries kept in memory behind a snapshot, for followers that are a little behind. */
  trailingEntries: number;
  /** Random numbers in [0, 1) (seeded in simulation). */
  random: () => number;
}

/** Defaults as SwarmKit runs etcd's raft, plus pre-vote. */
export const DEFAULT_RAFT_CONFIG: Omit<RaftConfig, "id"> = {
  electionTicks: 10,
  heartbeatTicks: 1,
  preVote: true,
  checkQuorum: true,
  maxInflight: 256,
  maxAppendBytes: 1024 * 1024,
  trailingEntries: 500,
  random: Math.random,
};

/** A member's role. */
export type RaftRole = "follower" | "preCandidate" | "candidate" | "leader";

/** A linearizable read may be served once `index` is applied (`index` -1: it could not be confirmed). */
export interface ReadState {
  context: string;
  index: number;
}

/** What the driver must do now: persist, then send, then apply. */
export interface Ready {
  hardState: HardState | null;
  /** Entries to append durably (a conflicting stored suffix is dropped first). */
  entries: LogEntry[];
  /** A snapshot received from the leader, to persist and restore. */
  snapshot: Snapshot | null;
  /** Committed entries to apply, in order. */
  committed: LogEntry[];
  /** Messages to send once the above is durable. */
  messages: RaftMessage[];
  readStates: ReadState[];
}

/** How a member starts. */
export interface RaftStart {
  /** A brand-new cluster whose only voter is this member. */
  bootstrap?: boolean;
  /** Keep only committed state and become a one-member cluster (after quorum loss). */
  forceNewCluster?: boolean;
}
