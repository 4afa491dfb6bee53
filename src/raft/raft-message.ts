import type { LogEntry, MemberId, Snapshot, SnapshotMeta } from "./raft-types.ts";

interface Envelope {
  from: MemberId;
  to: MemberId;
  term: number;
}

/** Leader → follower: entries after (prevIndex, prevTerm), and the leader's commit index. */
export interface AppendMessage extends Envelope {
  type: "append";
  prevIndex: number;
  prevTerm: number;
  entries: LogEntry[];
  commit: number;
}

/** Follower → leader: accepted up to `index`, or rejected with a hint where the logs may match. */
export interface AppendResponseMessage extends Envelope {
  type: "appendResponse";
  reject: boolean;
  /** Accepted: last matching index. Rejected: the prevIndex that failed. */
  index: number;
  hintIndex: number;
  hintTerm: number;
}

/** Leader → follower: liveness, commit index, and (optionally) a read-index round. */
export interface HeartbeatMessage extends Envelope {
  type: "heartbeat";
  commit: number;
  readContext: string | null;
}

/** Follower → leader: heartbeat answer, echoing the read round. */
export interface HeartbeatResponseMessage extends Envelope {
  type: "heartbeatResponse";
  readContext: string | null;
}

/** Candidate → voters: (pre-)vote for me at `term`; `transfer` skips the leader-lease check. */
export interface VoteMessage extends Envelope {
  type: "vote" | "preVote";
  lastIndex: number;
  lastTerm: number;
  transfer: boolean;
}

/** Voter → candidate. */
export interface VoteResponseMessage extends Envelope {
  type: "voteResponse" | "preVoteResponse";
  reject: boolean;
}

/** Leader → follower behind the compaction point: the whole state. */
export interface SnapshotMessage extends Envelope {
  type: "snapshot";
  snapshot: Snapshot;
}

/** Leader → transferee: campaign now. */
export interface TimeoutNowMessage extends Envelope {
  type: "timeoutNow";
}

/** Follower → leader: confirm leadership for a linearizable read. */
export interface ReadIndexMessage extends Envelope {
  type: "readIndex";
  context: string;
}

/** Leader → follower: the read may be served once `index` is applied (index -1: refused). */
export interface ReadIndexResponseMessage extends Envelope {
  type: "readIndexResponse";
  context: string;
  index: number;
}

/** Every message raft members exchange. */
export type RaftMessage =
  | AppendMessage
  | AppendResponseMessage
  | HeartbeatMessage
  | HeartbeatResponseMessage
  | VoteMessage
  | VoteResponseMessage
  | SnapshotMessage
  | TimeoutNowMessage
  | ReadIndexMessage
  | ReadIndexResponseMessage;

/** The kinds of message. */
export type RaftMessageType = RaftMessage["type"];

/** A message as its sender writes it (the sender's ID is filled in on the way out). */
export type OutgoingMessage = RaftMessage extends infer M ? (M extends RaftMessage ? Omit<M, "from"> : never) : never;

/** One piece of a snapshot too large for one message; the receiving driver reassembles them. */
export interface SnapshotChunkMessage {
  type: "snapshotChunk";
  from: MemberId;
  to: MemberId;
  term: number;
  meta: SnapshotMeta;
  /** Byte offset of `data` in the whole snapshot. */
  offset: number;
  /** Size of the whole snapshot. */
  total: number;
  data: Uint8Array;
}

/** What travels between members' drivers: raft messages, and snapshots in chunks. */
export type RaftWireMessage = RaftMessage | SnapshotChunkMessage;
