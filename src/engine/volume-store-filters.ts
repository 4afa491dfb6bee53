import { ShoalError } from "../lib/index.ts";

/** Docker's filter arguments (`{"name":["data"],"label":["env=prod"]}`), each key with its values. */
export type VolumeFilters = Record<string, string[]>;

/** What a volume filter looks at. */
export interface FilterSubject {
  Name: string;
  Driver: string;
  Labels: Record<string, string>;
  /** IDs of the containers using the volume, read only when a filter needs them. */
  users: () => string[];
}

/** The keys `docker volume ls --filter` accepts. */
export const LIST_FILTERS = ["dangling", "name", "driver", "label"] as const;

/** The keys `docker volume prune --filter` accepts. */
export const PRUNE_FILTERS = ["label", "label!", "all"] as const;

/** Docker's `invalid filter 'key=[v1 v2]'` error. */
function invalidFilter(key: string, values?: string[]): ShoalError {
  return new ShoalError("invalid_argument", values ? `invalid filter '${key}=[${values.join(" ")}]'` : `invalid filter '${key}'`);
}

/** The one boolean a filter key holds (`true`/`1` or `false`/`0`), or `fallback` when absent. */
function booleanFilter(filters: VolumeFilters, key: string, fallback: boolean): boolean {
  const values = filters[key];
  if (values === undefined) return fallback;
  if (values.length === 0) throw invalidFilter(key);
  const isTrue = values.includes("true") || values.includes("1");
  const isFalse = values.includes("false") || values.includes("0");
  if (isTrue === isFalse) throw invalidFilter(key, values);
  return isTrue;
}

/** True when every `key` / `key=value` of `wanted` is among `labels` (docker's MatchKVList; `label!` excludes a volume all its entries match). */
function matchesLabels(wanted: string[], labels: Record<string, string>): boolean {
  return wanted.every((entry) => {
    const equals = entry.indexOf("=");
    const key = equals < 0 ? entry : entry.slice(0, equals);
    if (!Object.hasOwn(labels, key)) return false;
    return equals < 0 || labels[key] === entry.slice(equals + 1);
  });
}

/** True when `name` equals a value or matches it as an (unanchored) regular expression, as docker's name filter does. */
function matchesName(patterns: string[], name: string): boolean {
  return patterns.some((pattern) => {
    if (pattern === name) return true;
    try {
      return new RegExp(pattern).test(name);
    } catch {
      return false;
    }
  });
}

/**
 * Builds docker's volume predicate from `filters`, refusing keys outside `accepted` and a
 * `dangling` that is not a boolean (both `invalid filter '…'`, as docker says).
 */
export function volumeFilter(filters: VolumeFilters, accepted: readonly string[]): (subject: FilterSubject) => boolean {
  for (const key of Object.keys(filters)) if (!accepted.includes(key)) throw invalidFilter(key);
  const dangling = "dangling" in filters ? booleanFilter(filters, "dangling", false) : undefined;
  const { name, driver, label = [] } = filters;
  const notLabel = filters["label!"];
  return (subject) => {
    if (driver?.length && !driver.includes(subject.Driver)) return false;
    if (name?.length && !matchesName(name, subject.Name)) return false;
    if (!matchesLabels(label, subject.Labels)) return false;
    if (notLabel && matchesLabels(notLabel, subject.Labels)) return false;
    if (dangling !== undefined && (subject.users().length === 0) !== dangling) return false;
    return true;
  };
}
