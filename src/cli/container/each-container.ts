import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

/**
 * Runs `operation` on each named container in order, printing what `print` returns for each that
 * succeeds (docker prints the name as typed); failures are collected and reported together at
 * the end, one a line, with exit code 1 — docker's stop/kill/rm/restart behaviour.
 */
export async function forEachContainer(
  ctx: CliContext,
  names: readonly string[],
  operation: (name: string) => Promise<string | void>,
  options: { ignore?: (error: unknown) => boolean } = {},
): Promise<void> {
  const errors: string[] = [];
  const results = names.map((name) => operation(name).then((value) => ({ value }), (error: unknown) => ({ error })));
  for (const [index, pending] of results.entries()) {
    const result = await pending;
    if ("error" in result) {
      if (options.ignore?.(result.error)) continue;
      if (!(result.error instanceof CliError)) throw result.error;
      errors.push(result.error.message);
      continue;
    }
    ctx.out(`${result.value ?? names[index]}\n`);
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}

/** The API path of a container named by ID or name. */
export function containerPath(name: string): string {
  return `/containers/${encodeURIComponent(name)}`;
}
