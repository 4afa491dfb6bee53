import type { MemberId } from "./raft-types.ts";

/** A read waiting for a quorum to confirm the leader: `index` is the commit index when it arrived. */
export interface PendingRead {
  context: string;
  index: number;
  /** Who asked: the leader itself, or a follower to answer with a message. */
  from: MemberId;
  acks: Set<MemberId>;
}

/**
 * A leader's linearizable reads (raft's ReadIndex): reads that arrived before the leader committed
 * an entry of its term wait for that; the others wait for a quorum of heartbeat answers carrying
 * their context. A confirmed read also confirms every read queued before it.
 */
export class ReadIndexQueue {
  #pending: PendingRead[] = [];
  #awaitingCommit: { context: string; from: MemberId }[] = [];

  /** Holds a read until the leader's first commit in its term. */
  deferUntilCommit(context: string, from: MemberId): void {
    this.#awaitingCommit.push({ context, from });
  }

  /** The reads held for the first commit (removed from the queue). */
  takeDeferred(): { context: string; from: MemberId }[] {
    return this.#awaitingCommit.splice(0);
  }

  /** Starts a quorum round for a read at `index`; the leader's own acknowledgement counts. */
  start(context: string, index: number, from: MemberId, leader: MemberId): void {
    this.#pending.push({ context, index, from, acks: new Set([leader]) });
  }

  /** A voter answered the round of `context`: returns the reads it confirms (possibly none). */
  acknowledge(context: string, voter: MemberId, quorum: number): PendingRead[] {
    const position = this.#pending.findIndex((read) => read.context === context);
    if (position < 0) return [];
    const read = this.#pending[position]!;
    read.acks.add(voter);
    if (read.acks.size < quorum) return [];
    return this.#pending.splice(0, position + 1);
  }

  /** Every read still waiting (removed from the queue): to be failed when leadership ends. */
  drain(): { context: string; from: MemberId }[] {
    const all = [...this.#pending, ...this.#awaitingCommit];
    this.#pending = [];
    this.#awaitingCommit = [];
    return all;
  }
}
