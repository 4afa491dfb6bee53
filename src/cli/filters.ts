import { CliError } from "./cli-error.ts";

/**
 * The `filters` query parameter from repeated `--filter key=value` flags, in the map-of-sets form
 * the docker client sends (`{"status":{"exited":true}}`); undefined when there are none.
 */
export function filtersQuery(flags: readonly string[] = [], extra: Record<string, string[]> = {}): string | undefined {
  const filters: Record<string, Record<string, boolean>> = {};
  const add = (key: string, value: string) => ((filters[key] ??= {})[value] = true);
  for (const flag of flags) {
    const equals = flag.indexOf("=");
    if (equals <= 0) throw new CliError("bad format of filter (expected name=value)");
    add(flag.slice(0, equals).trim().toLowerCase(), flag.slice(equals + 1).trim());
  }
  for (const [key, values] of Object.entries(extra)) for (const value of values) add(key, value);
  return Object.keys(filters).length > 0 ? JSON.stringify(filters) : undefined;
}

/** Commander's collector for repeatable options (`-e A -e B` → ["A", "B"]). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
