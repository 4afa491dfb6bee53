/** A node's role in the swarm, as its certificate's OU says (`swarm-manager` / `swarm-worker`). */
export type PeerRole = "manager" | "worker";

/** Who is on the other end of a connection, from its verified certificate. */
export interface PeerIdentity {
  nodeId: string;
  role: PeerRole;
  clusterId: string;
}

/** Who may call a method: nodes of the given roles, or anyone (even without a certificate, to join). */
export type MethodAccess = { readonly roles: readonly PeerRole[] } | "anonymous";

/** Managers only. */
export const MANAGERS_ONLY: MethodAccess = { roles: ["manager"] };

/** Any node of the swarm. */
export const ANY_NODE: MethodAccess = { roles: ["manager", "worker"] };

/** Anyone, with or without a certificate (the CA's join methods). */
export const ANYONE: MethodAccess = "anonymous";

/** Whether `peer` (null for a peer without a certificate) may call a method with this access. */
export function mayCall(access: MethodAccess, peer: PeerIdentity | null): boolean {
  if (access === "anonymous") return true;
  return peer !== null && access.roles.includes(peer.role);
}
