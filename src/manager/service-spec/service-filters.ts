import { ShoalError } from "../../lib/index.ts";
import { serviceModeName, type Service } from "../../types/index.ts";
import { matchesLabels, matchesOneOf, matchesPrefix } from "./filter-match.ts";

/** The filters `GET /services` accepts (moby `daemon/cluster/services.go`). */
export const SERVICE_FILTERS = ["id", "name", "label", "mode", "runtime"] as const;

/** Refuses a filter name the route does not know, in moby's words. */
export function checkFilterNames(filters: Record<string, string[]>, known: readonly string[]): void {
  for (const name of Object.keys(filters)) {
    if (!known.includes(name)) throw new ShoalError("invalid_argument", `invalid filter '${name}'`);
  }
}

/**
 * Keeps the services passing every filter: `id` and `name` by prefix, `label` (`key` or
 * `key=value`, all must match), `mode` exactly (replicated, global, replicated-job, global-job),
 * `runtime` (every shoal service runs containers); values of one filter are alternatives.
 */
export function filterServices(services: readonly Service[], filters: Record<string, string[]>): Service[] {
  checkFilterNames(filters, SERVICE_FILTERS);
  return services.filter(
    (service) =>
      matchesPrefix(service.ID, filters.id) &&
      matchesPrefix(service.Spec.Name, filters.name) &&
      matchesLabels(service.Spec.Labels, filters.label) &&
      matchesOneOf(serviceModeName(service.Spec.Mode), filters.mode) &&
      matchesOneOf("container", filters.runtime),
  );
}
