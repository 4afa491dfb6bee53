import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

/** `shoal node rm [-f] NODE...`: removes nodes from the swarm, printing each one removed. */
export async function nodeRmCommand(ctx: CliContext, refs: string[], options: { force?: boolean }): Promise<void> {
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await ctx.client.request("DELETE", `/nodes/${encodeURIComponent(ref)}`, { query: { force: options.force ? 1 : undefined } });
      ctx.out(`${ref}\n`);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      errors.push(error.message);
    }
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}
