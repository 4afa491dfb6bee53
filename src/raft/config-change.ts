import { Packr } from "msgpackr";
import { ShoalError } from "../lib/index.ts";
import type { MemberId, Membership } from "./raft-types.ts";

const packr = new Packr({ useRecords: false });

/** One membership change: members join as learners, are promoted once caught up, or leave. */
export type ConfigChange =
  | { type: "addLearner"; member: MemberId }
  | { type: "promote"; member: MemberId }
  | { type: "remove"; member: MemberId }
  /** Makes `members` the whole set of voters (only for forcing a new cluster from one survivor). */
  | { type: "reset"; voters: MemberId[] };

/** Encodes a change as the data of a config entry. */
export function encodeConfigChange(change: ConfigChange): Uint8Array {
  return packr.pack(change);
}

/** Decodes a config entry's data. */
export function decodeConfigChange(data: Uint8Array): ConfigChange {
  const change = packr.unpack(data) as ConfigChange;
  if (!change || typeof change !== "object" || !("type" in change)) throw new ShoalError("internal", "malformed config change entry");
  return change;
}

/** The membership after applying `change` to `current`, refusing changes that make no sense. */
export function applyConfigChange(current: Membership, change: ConfigChange): Membership {
  const voters = new Set(current.voters);
  const learners = new Set(current.learners);
  switch (change.type) {
    case "addLearner":
      if (voters.has(change.member) || learners.has(change.member)) {
        throw new ShoalError("already_exists", `raft member ${change.member} is already in the group`);
      }
      learners.add(change.member);
      break;
    case "promote":
      if (!learners.has(change.member)) throw new ShoalError("failed_precondition", `raft member ${change.member} is not a learner`);
      learners.delete(change.member);
      voters.add(change.member);
      break;
    case "remove":
      if (!voters.has(change.member) && !learners.has(change.member)) {
        throw new ShoalError("not_found", `raft member ${change.member} is not in the group`);
      }
      voters.delete(change.member);
      learners.delete(change.member);
      if (voters.size === 0) throw new ShoalError("failed_precondition", "cannot remove the last voting member");
      break;
    case "reset":
      return { voters: [...change.voters].sort(), learners: [] };
  }
  return { voters: [...voters].sort(), learners: [...learners].sort() };
}

/** Votes needed among `voters` for a majority. */
export function quorum(voters: number): number {
  return Math.floor(voters / 2) + 1;
}
