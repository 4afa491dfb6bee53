import { quorum } from "./config-change.ts";
import type { MemberId } from "./raft-types.ts";

/** The votes of one (pre-)election, and whether they decide it. */
export class VoteTally {
  readonly #votes = new Map<MemberId, boolean>();

  /** Records a voter's answer (the last answer of a voter counts). */
  record(member: MemberId, granted: boolean): void {
    this.#votes.set(member, granted);
  }

  /** Won with a majority of `voters`, lost when a majority can no longer be reached, else pending. */
  outcome(voters: readonly MemberId[]): "won" | "lost" | "pending" {
    let granted = 0;
    let rejected = 0;
    for (const member of voters) {
      const vote = this.#votes.get(member);
      if (vote === true) granted++;
      else if (vote === false) rejected++;
    }
    const needed = quorum(voters.length);
    if (granted >= needed) return "won";
    if (voters.length - rejected < needed) return "lost";
    return "pending";
  }
}
