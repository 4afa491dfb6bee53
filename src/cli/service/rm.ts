import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

/** `shoal service rm SERVICE...`: `DELETE /services/{id}` for each, printing each removed one; errors are gathered. */
export async function serviceRmCommand(ctx: CliContext, refs: string[]): Promise<void> {
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await ctx.client.request("DELETE", `/services/${encodeURIComponent(ref)}`);
      ctx.out(`${ref}\n`);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      errors.push(error.message);
    }
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}
