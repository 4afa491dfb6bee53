import { ShoalError } from "../lib/index.ts";
import type { Node } from "../types/index.ts";

/** The filters `GET /nodes` accepts (moby `daemon/cluster/filters.go`). */
export const NODE_FILTERS = ["id", "name", "role", "membership", "label", "node.label"] as const;

/** `key` or `key=value` against a label map. */
function labelMatches(labels: Record<string, string> | undefined, filter: string): boolean {
  const equals = filter.indexOf("=");
  const key = equals < 0 ? filter : filter.slice(0, equals);
  if (!labels || !(key in labels)) return false;
  return equals < 0 || labels[key] === filter.slice(equals + 1);
}

function checkValues(values: string[] | undefined, allowed: readonly string[], what: string): void {
  for (const value of values ?? []) {
    if (!allowed.includes(value.toLowerCase())) throw new ShoalError("invalid_argument", `Invalid ${what} filter value: ${value} (use ${allowed.join(" or ")})`);
  }
}

/**
 * Keeps the nodes that pass every filter: `id` and `name` are prefixes (name: Spec.Name or hostname),
 * `label` engine labels, `node.label` node labels, `role`, `membership`; values of one filter are alternatives.
 */
export function filterNodes(nodes: readonly Node[], filters: Record<string, string[]>): Node[] {
  for (const name of Object.keys(filters)) {
    if (!(NODE_FILTERS as readonly string[]).includes(name)) throw new ShoalError("invalid_argument", `invalid filter '${name}'`);
  }
  checkValues(filters.role, ["manager", "worker"], "role");
  checkValues(filters.membership, ["accepted", "pending"], "membership");
  const any = (values: string[] | undefined, test: (value: string) => boolean) => !values?.length || values.some(test);
  return nodes.filter(
    (node) =>
      any(filters.id, (prefix) => node.ID.startsWith(prefix)) &&
      any(filters.name, (prefix) => [node.Spec.Name, node.Description?.Hostname].some((name) => !!name && name.startsWith(prefix))) &&
      any(filters.role, (role) => node.Spec.Role === role.toLowerCase()) &&
      any(filters.membership, (membership) => (node.Spec.Membership ?? "accepted") === membership.toLowerCase()) &&
      (filters.label ?? []).every((label) => labelMatches(node.Description?.Engine.Labels, label)) &&
      (filters["node.label"] ?? []).every((label) => labelMatches(node.Spec.Labels, label)),
  );
}
