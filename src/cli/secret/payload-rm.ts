import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

/** `shoal secret|config rm REF...`: removes each one, printing the reference as given; failures are reported together at the end. */
export async function payloadRmCommand(ctx: CliContext, kind: "secret" | "config", refs: string[]): Promise<void> {
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      await ctx.client.request("DELETE", `/${kind}s/${encodeURIComponent(ref)}`);
      ctx.out(`${ref}\n`);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      errors.push(error.message);
    }
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}
