import { toShoalError, type Logger } from "../../lib/index.ts";
import type { Node, Platform, Service } from "../../types/index.ts";
import { matchesConstraints, parseConstraints } from "../scheduler/constraints.ts";
import { platformMatches } from "../scheduler/filters/platform-filter.ts";

/**
 * True when tasks on `node` cannot go on running there (SwarmKit's `InvalidNode`): the node is
 * gone, down or drained. Replicated tasks on such a node are replaced elsewhere, global ones shut down.
 */
export function isUnavailableNode(node: Node | undefined): boolean {
  return !node || node.Status.State === "down" || node.Spec.Availability === "drain";
}

/** True when `node` runs one of `platforms`; no platforms: any node. */
function runsOneOf(platforms: readonly Platform[] | undefined, node: Node): boolean {
  if (!platforms || platforms.length === 0) return true;
  const own = node.Description?.Platform;
  return own !== undefined && platforms.some((wanted) => platformMatches(wanted, own));
}

/** Which nodes a service's placement (constraints and platforms) allows; compiled once per service version. */
export type PlacementFilter = (node: Node) => boolean;

/**
 * The placement filter of `service`'s current spec. Constraints were validated when the service was
 * created; a spec whose constraints no longer parse matches no node (logged), rather than every node.
 */
export function placementFilter(service: Service, log: Logger): PlacementFilter {
  const placement = service.Spec.TaskTemplate.Placement;
  let constraints: ReturnType<typeof parseConstraints>;
  try {
    constraints = parseConstraints(placement?.Constraints ?? []);
  } catch (error) {
    log.warn("service placement constraints do not parse; no node matches them", { "service.id": service.ID, error: toShoalError(error).message });
    return () => false;
  }
  const platforms = placement?.Platforms;
  return (node) => runsOneOf(platforms, node) && matchesConstraints(node, constraints);
}
