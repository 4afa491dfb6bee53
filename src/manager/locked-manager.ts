import { ShoalError } from "../lib/index.ts";
import { SWARM_LOCKED_MESSAGE } from "../pki/index.ts";
import type { SwarmInfo } from "../types/index.ts";
import { readSwarmState } from "./manager-state.ts";
import { NOT_A_MANAGER_MESSAGE, WORKER_NOT_MANAGER_MESSAGE } from "./swarm-messages.ts";
import { SWARM_NOT_LOCKED_MESSAGE } from "./unlock-keys.ts";

/**
 * `Info.Swarm` of a manager whose keys autolock sealed, until `swarm unlock`: state `locked` with moby's
 * error text; like moby, no node ID or managers (nothing runs), only the advertised address.
 */
export async function lockedSwarmInfo(dataRoot: string): Promise<SwarmInfo> {
  const nodeAddr = await readSwarmState(dataRoot).then(
    (state) => state.addresses.advertiseHost,
    () => "",
  );
  return { NodeID: "", NodeAddr: nodeAddr, LocalNodeState: "locked", ControlAvailable: false, Error: SWARM_LOCKED_MESSAGE, RemoteManagers: null };
}

/** Why `POST /swarm/unlock` is refused on a node that is not locked, in moby's words for what the node is. */
export function unlockRefusal(node: "manager" | "worker" | "none"): ShoalError {
  if (node === "manager") return new ShoalError("failed_precondition", SWARM_NOT_LOCKED_MESSAGE);
  return new ShoalError("unavailable", node === "worker" ? WORKER_NOT_MANAGER_MESSAGE : NOT_A_MANAGER_MESSAGE);
}
