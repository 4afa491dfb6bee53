import type { RaftNode } from "../../../src/raft/raft-node.ts";
import type { MemberId } from "../../../src/raft/raft-types.ts";

/**
 * Raft's safety properties, checked after every simulation event: election safety (one leader
 * per term), state machine safety (one entry per index, wherever it is applied), leader
 * completeness (a new leader holds every committed entry), commit index never moving back
 * within one run of a member, and applied ≤ committed.
 */
export class SimInvariants {
  readonly #leaderOfTerm = new Map<number, MemberId>();
  /** The term of the entry applied at each index, by whoever applied it first. */
  readonly #appliedTerm = new Map<number, number>();
  #maxApplied = 0;
  readonly #lastCommit = new Map<string, number>();
  readonly #wasLeader = new Map<string, number>();

  /** Feeds the entries a member applied since last time. */
  recordApplied(member: MemberId, entries: { index: number; term: number }[]): void {
    for (const { index, term } of entries) {
      const known = this.#appliedTerm.get(index);
      if (known === undefined) this.#appliedTerm.set(index, term);
      else if (known !== term) throw new Error(`state machine safety: ${member} applied index ${index} of term ${term}, another member applied term ${known}`);
      this.#maxApplied = Math.max(this.#maxApplied, index);
    }
  }

  /** Checks one live member (`incarnation` changes when it restarts). */
  check(node: RaftNode, incarnation: number): void {
    const status = node.status();
    const key = `${node.id}#${incarnation}`;
    if (status.applied > status.commit) throw new Error(`applied ${status.applied} > commit ${status.commit} on ${node.id}`);
    const lastCommit = this.#lastCommit.get(key) ?? 0;
    if (status.commit < lastCommit) throw new Error(`commit index of ${node.id} went back from ${lastCommit} to ${status.commit}`);
    this.#lastCommit.set(key, status.commit);
    if (status.role !== "leader") return;
    const leader = this.#leaderOfTerm.get(status.term);
    if (leader !== undefined && leader !== node.id) throw new Error(`election safety: ${leader} and ${node.id} both lead term ${status.term}`);
    this.#leaderOfTerm.set(status.term, node.id);
    if (this.#wasLeader.get(key) === status.term) return;
    this.#wasLeader.set(key, status.term);
    for (let index = node.logFirstIndex; index <= this.#maxApplied; index++) {
      const expected = this.#appliedTerm.get(index);
      if (expected === undefined) continue;
      const actual = node.logTerm(index);
      if (actual !== expected) throw new Error(`leader completeness: ${node.id} leads term ${status.term} with entry ${index} of term ${actual}, but term ${expected} was committed there`);
    }
  }

  /**
   * Log matching: when two members hold an entry of the same index and term, their logs agree on
   * every entry before it (as far back as both still hold entries).
   */
  checkLogMatching(nodes: RaftNode[]): void {
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i]!;
        const b = nodes[j]!;
        const first = Math.max(a.logFirstIndex, b.logFirstIndex);
        let index = Math.min(a.logLastIndex, b.logLastIndex);
        while (index >= first && a.logTerm(index) !== b.logTerm(index)) index--;
        for (let k = index - 1; k >= first; k--) {
          if (a.logTerm(k) !== b.logTerm(k)) {
            throw new Error(`log matching: ${a.id} and ${b.id} agree at ${index} (term ${a.logTerm(index)}) but differ at ${k} (${a.logTerm(k)} vs ${b.logTerm(k)})`);
          }
        }
      }
    }
  }

  /** How many terms saw a leader. */
  get termsWithLeader(): number {
    return this.#leaderOfTerm.size;
  }

  get maxApplied(): number {
    return this.#maxApplied;
  }
}
