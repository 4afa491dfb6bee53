import { ShoalError } from "../lib/index.ts";

/**
 * Docker's `filters` query parameter: JSON mapping a filter name to its values, either as a list
 * (`{"name":["web"]}`) or, from old clients, as a set (`{"name":{"web":true}}`).
 */
export function parseFilters(query: string | undefined): Record<string, string[]> {
  if (!query) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(query);
  } catch {
    throw new ShoalError("invalid_argument", `invalid filter: ${query} is not JSON (expected {"name":["value"]})`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new ShoalError("invalid_argument", `invalid filter: ${query} (expected {"name":["value"]})`);
  const result: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(values) && values.every((value) => typeof value === "string")) result[name] = values;
    else if (typeof values === "object" && values !== null) result[name] = Object.keys(values).filter((key) => (values as Record<string, unknown>)[key] === true);
    else throw new ShoalError("invalid_argument", `invalid filter '${name}': values must be a list of strings`);
  }
  return result;
}

/** Refuses filter names a route does not know, in docker's words. */
export function checkFilterNames(filters: Record<string, string[]>, known: readonly string[]): void {
  for (const name of Object.keys(filters)) if (!known.includes(name)) throw new ShoalError("invalid_argument", `invalid filter '${name}'`);
}
