import { ShoalError } from "../lib/index.ts";
import type { Node } from "../types/index.ts";
import { REMOVAL_LOSES_QUORUM_MESSAGE } from "./reachability.ts";

const ROLES = new Set(["worker", "manager"]);
const AVAILABILITIES = new Set(["active", "pause", "drain"]);

/** A `POST /nodes/{id}/update` body, checked: docker's NodeSpec. */
export interface NodeSpecUpdate {
  Name?: string;
  Labels: Record<string, string>;
  Role: "worker" | "manager";
  Availability: "active" | "pause" | "drain";
}

/** Checks a node spec as the control API does, with its words. */
export function parseNodeSpec(body: Record<string, unknown>): NodeSpecUpdate {
  const role = body.Role ?? "worker";
  if (typeof role !== "string" || !ROLES.has(role)) throw new ShoalError("invalid_argument", `rpc error: code = InvalidArgument desc = invalid role "${String(role)}": use worker or manager`);
  const availability = body.Availability ?? "active";
  if (typeof availability !== "string" || !AVAILABILITIES.has(availability)) {
    throw new ShoalError("invalid_argument", `rpc error: code = InvalidArgument desc = invalid availability "${String(availability)}": use active, pause or drain`);
  }
  const labels = body.Labels ?? {};
  if (typeof labels !== "object" || labels === null || Array.isArray(labels) || Object.values(labels).some((value) => typeof value !== "string")) {
    throw new ShoalError("invalid_argument", "rpc error: code = InvalidArgument desc = node labels must map names to strings");
  }
  if (body.Name !== undefined && typeof body.Name !== "string") throw new ShoalError("invalid_argument", "rpc error: code = InvalidArgument desc = node name must be a string");
  return { Name: body.Name as string | undefined, Labels: labels as Record<string, string>, Role: role as NodeSpecUpdate["Role"], Availability: availability as NodeSpecUpdate["Availability"] };
}

/**
 * Why a node's role may not change (null when it may): the last manager cannot be demoted, nor one
 * whose removal from raft would leave the remaining managers without a quorum (`losesQuorum`, see
 * `removalLosesQuorum`). Promoting a worker is always allowed (adding a manager puts no quorum at
 * risk): the worker learns its role from its next heartbeat and fetches its manager material.
 */
export function roleChangeRefusal(node: Node, wanted: NodeSpecUpdate["Role"], managers: number, losesQuorum: boolean): string | null {
  if (node.Spec.Role === wanted) return null;
  if (wanted === "worker" && managers <= 1) return "rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm";
  if (wanted === "worker") return losesQuorum ? REMOVAL_LOSES_QUORUM_MESSAGE : null;
  return null;
}

/** Why a node may not be removed (null when it may): managers must be demoted first, live nodes need force. */
export function removalRefusal(node: Node, force: boolean): string | null {
  if (node.Spec.Role === "manager" || node.ManagerStatus) {
    return `rpc error: code = FailedPrecondition desc = node ${node.ID} is a cluster manager and is a member of the raft cluster. It must be demoted to worker before removal`;
  }
  if (!force && node.Status.State !== "down") {
    return `rpc error: code = FailedPrecondition desc = node ${node.ID} is not down and can't be removed`;
  }
  return null;
}
