/** How the control API matches list filters (SwarmKit `manager/controlapi/common.go`). */

/** True when no values are given or `value` starts with one of them (the `id` and `name` filters). */
export function matchesPrefix(value: string, prefixes: readonly string[] | undefined): boolean {
  return !prefixes?.length || prefixes.some((prefix) => value.startsWith(prefix));
}

/** True when no values are given or `value` is one of them. */
export function matchesOneOf(value: string, values: readonly string[] | undefined): boolean {
  return !values?.length || values.includes(value);
}

/**
 * The `label` filter: every `key` must be present and every `key=value` match (moby turns the
 * filter's values into a map first, so for a key given twice the last value counts).
 */
export function matchesLabels(labels: Readonly<Record<string, string>> | undefined, filters: readonly string[] | undefined): boolean {
  const wanted = new Map<string, string>();
  for (const filter of filters ?? []) {
    const equals = filter.indexOf("=");
    wanted.set(equals < 0 ? filter : filter.slice(0, equals), equals < 0 ? "" : filter.slice(equals + 1));
  }
  for (const [key, value] of wanted) {
    if (!labels || !Object.hasOwn(labels, key)) return false;
    if (value !== "" && labels[key] !== value) return false;
  }
  return true;
}
