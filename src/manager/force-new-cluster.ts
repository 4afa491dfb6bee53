import type { SwarmTables, WriteTx } from "../store/index.ts";
import type { SwarmAddresses } from "./swarm-addresses.ts";

/** `Status.Message` of a manager that `--force-new-cluster` left out of the new raft group. */
export const FORCED_OUT_MESSAGE = "not a raft member since swarm init --force-new-cluster";

/**
 * After `--force-new-cluster`, in the store of the one remaining member `self`: the other managers
 * keep their Node objects (Role manager, so `node demote` then `node rm` can remove them, as with
 * Docker) but are marked down and unreachable. Down is what keeps `RaftMembership` from adding them
 * back to raft: a forced-out member's log still names the old group, and it has to leave and join
 * again. This node's own addresses are brought up to date with `addresses`.
 */
export function retireOtherManagers(tx: WriteTx<SwarmTables>, self: string, addresses: SwarmAddresses): void {
  for (const node of tx.find("nodes")) {
    if (node.ID === self) {
      if (node.ManagerStatus?.Addr === addresses.advertiseAddr && node.Status.Addr === addresses.advertiseHost) continue;
      tx.update("nodes", {
        ...node,
        Status: { ...node.Status, Addr: addresses.advertiseHost },
        ManagerStatus: { Leader: true, Reachability: "reachable", ...node.ManagerStatus, Addr: addresses.advertiseAddr },
      });
    } else if (node.ManagerStatus && node.Spec.Role === "manager" && !isForcedOut(node)) {
      tx.update("nodes", {
        ...node,
        Status: { ...node.Status, State: "down", Message: FORCED_OUT_MESSAGE },
        ManagerStatus: { ...node.ManagerStatus, Leader: false, Reachability: "unreachable" },
      });
    }
  }
}

/** Whether `--force-new-cluster` left this manager node out of raft (it must not be added back). */
export function isForcedOut(node: { Status: { State: string } }): boolean {
  return node.Status.State === "down";
}
