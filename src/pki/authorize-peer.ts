import { ShoalError } from "../lib/index.ts";
import type { NodeIdentity } from "./node-certificate.ts";
import type { NodeRole } from "./node-role.ts";
import type { RemovedNodes } from "./removed-nodes.ts";

/** What a verified peer must satisfy to be let in. */
export interface AuthorizePeerOptions {
  /** This swarm's cluster ID; a certificate of any other cluster is refused. */
  clusterId: string;
  /** Nodes removed from the swarm. */
  removedNodes: RemovedNodes;
  /** Roles allowed to call; all when absent (a worker certificate never passes a manager-only check). */
  roles?: readonly NodeRole[];
}

/** The parts of a verified identity that authorization looks at (what a TLS peer certificate names). */
export type PeerNode = Pick<NodeIdentity, "nodeId" | "role" | "clusterId">;

/** Lets a peer in only if its (already chain-validated) identity is of this cluster, not removed, and of an allowed role. */
export function authorizePeer<T extends PeerNode>(identity: T, options: AuthorizePeerOptions): T {
  if (identity.clusterId !== options.clusterId) {
    throw new ShoalError(
      "permission_denied",
      `node ${identity.nodeId} presented a certificate of another swarm (cluster ${identity.clusterId}, expected ${options.clusterId})`,
    );
  }
  if (options.removedNodes.isRemoved(identity.nodeId)) {
    throw new ShoalError("permission_denied", `node ${identity.nodeId} was removed from the swarm`);
  }
  if (options.roles && !options.roles.includes(identity.role)) {
    throw new ShoalError("permission_denied", `node ${identity.nodeId} is a ${identity.role}; only ${options.roles.join(" or ")} nodes may do this`);
  }
  return identity;
}
