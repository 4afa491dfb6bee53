import type { Config, Secret } from "../../types/index.ts";
import { matchesLabels } from "../service-spec/filter-match.ts";
import { checkFilterNames } from "../service-spec/service-filters.ts";

/** How a list reads the table: by exact name, name prefix or ID prefix (the store's selectors). */
export type PayloadSelector = { name: string } | { namePrefix: string } | { idPrefix: string };

/** The filters `GET /secrets` accepts (moby `daemon/cluster/filters.go` `newListSecretsFilters`). */
export const SECRET_FILTERS = ["id", "name", "names", "label"] as const;
/** The filters `GET /configs` accepts (no `names`). */
export const CONFIG_FILTERS = ["id", "name", "label"] as const;

/**
 * The objects passing Docker's secret or config filters, as SwarmKit's `ListSecrets` picks them:
 * an object passes when it matches any `names` (exact), `name` (prefix) or `id` (prefix) value —
 * names compared case-insensitively, as the store indexes them — and every `label` (`key` or
 * `key=value`). `find` reads the table (a selector, or everything). Ordered by ID.
 */
export function selectPayloads<T extends Secret | Config>(find: (selector?: PayloadSelector) => T[], filters: Record<string, string[]>, known: readonly string[]): T[] {
  checkFilterNames(filters, known);
  const selectors: PayloadSelector[] = [
    ...(filters.names ?? []).map((name) => ({ name })),
    ...(filters.name ?? []).map((namePrefix) => ({ namePrefix })),
    ...(filters.id ?? []).map((idPrefix) => ({ idPrefix })),
  ];
  const candidates = selectors.length === 0 ? find() : [...new Map(selectors.flatMap((selector) => find(selector)).map((object) => [object.ID, object])).values()];
  return candidates.filter((object) => matchesLabels(object.Spec.Labels, filters.label)).sort((a, b) => (a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0));
}
