import { ShoalError } from "../lib/index.ts";

/** A node's role in the swarm, spelled as the Engine API spells `Spec.Role`. */
export type NodeRole = "manager" | "worker";

/** The certificate OU of a manager. */
export const MANAGER_OU = "swarm-manager";
/** The certificate OU of a worker. */
export const WORKER_OU = "swarm-worker";
/** The DNS name every manager certificate also carries, so clients can dial any manager by one name. */
export const CA_SERVER_NAME = "swarm-ca";

/** The certificate OU of a role. */
export function roleToOu(role: NodeRole): string {
  if (role === "manager") return MANAGER_OU;
  if (role === "worker") return WORKER_OU;
  throw new ShoalError("invalid_argument", `invalid node role ${JSON.stringify(role)}: expected "manager" or "worker"`);
}

/** The role a certificate OU stands for, or null when the OU is not a swarm role. */
export function ouToRole(ou: string): NodeRole | null {
  if (ou === MANAGER_OU) return "manager";
  if (ou === WORKER_OU) return "worker";
  return null;
}
