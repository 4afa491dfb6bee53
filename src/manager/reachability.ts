import { quorum } from "../raft/index.ts";
import type { Reachability } from "../types/index.ts";
import { LEAVE_LAST_MANAGER_MESSAGE } from "./swarm-messages.ts";

/**
 * How long a member may stay silent and still count as reachable: raft's election timeout at the
 * default tick (10 ticks of 100 ms, randomized up to twice that). The leader hears from every
 * follower on each heartbeat (every tick), a follower from the leader.
 */
export const REACHABILITY_TIMEOUT_MS = 2000;

/** SwarmKit's refusal of a demotion that would leave the remaining managers without a quorum. */
export const REMOVAL_LOSES_QUORUM_MESSAGE = "rpc error: code = FailedPrecondition desc = can't remove member from the raft: this would result in a loss of quorum";

/** What one manager knows about another when it shows `ManagerStatus.Reachability`. */
export interface ReachabilityView {
  /** This manager's node ID. */
  self: string;
  /** The raft leader as this manager sees it (null: none). */
  leader: string | null;
  /** The manager asked about. */
  member: string;
  /** What the store holds for it (the leader keeps it current). */
  stored: Reachability | undefined;
  /** When a raft message from `member` last arrived here (undefined: never since start). */
  lastHeardAt: number | undefined;
  now: number;
  timeoutMs?: number;
}

/**
 * A member's reachability from this manager's view: itself is reachable; the leader judges every
 * member by when it last heard from it, and a follower judges the leader so (those are the only
 * messages it gets); for the rest a follower believes the store, which the leader keeps current.
 */
export function memberReachability(view: ReachabilityView): Reachability {
  if (view.member === view.self) return "reachable";
  if (view.self === view.leader || view.member === view.leader) {
    const timeoutMs = view.timeoutMs ?? REACHABILITY_TIMEOUT_MS;
    return view.lastHeardAt !== undefined && view.now - view.lastHeardAt <= timeoutMs ? "reachable" : "unreachable";
  }
  return view.stored ?? "reachable";
}

/**
 * Whether removing `member` from the voters would leave fewer reachable voters than the quorum of
 * the voters that remain (SwarmKit's `CanRemoveMember`); `unreachable` are the members that cannot
 * be reached now.
 */
export function removalLosesQuorum(voters: readonly string[], member: string, unreachable: ReadonlySet<string>): boolean {
  const remaining = voters.filter((voter) => voter !== member);
  if (remaining.length === 0) return true;
  const reachable = remaining.filter((voter) => !unreachable.has(voter)).length;
  return reachable < quorum(remaining.length);
}

/**
 * Docker's refusal of `swarm leave` without `--force` on a manager (moby `daemon/cluster/swarm.go`),
 * given the reachable and unreachable managers, this one among the reachable.
 */
export function managerLeaveRefusal(reachable: number, unreachable: number): string {
  let message = "You are attempting to leave the swarm on a node that is participating as a manager. ";
  if (reachable - 2 <= unreachable) {
    if (reachable === 1 && unreachable === 0) return LEAVE_LAST_MANAGER_MESSAGE;
    message += `Removing this node leaves ${reachable - 1} managers out of ${reachable + unreachable}. Without a Raft quorum your swarm will be inaccessible. `;
  }
  return message + "The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.";
}
