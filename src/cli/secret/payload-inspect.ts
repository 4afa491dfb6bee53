import type { Config, Secret } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { inspectOutput } from "../format/inspect-output.ts";
import { prettyConfig, prettySecret } from "./payload-pretty.ts";

/**
 * `shoal secret|config inspect [--pretty] [-f FORMAT] REF...`: the objects as JSON, through a
 * template, or in docker's pretty layout. The JSON shows what the daemon sent (no data for secrets).
 */
export async function payloadInspectCommand(ctx: CliContext, kind: "secret" | "config", refs: string[], options: { format?: string; pretty?: boolean }): Promise<void> {
  const format = options.pretty ? "pretty" : options.format;
  if (format?.startsWith("pretty") && format !== "pretty") throw new CliError("cannot supply extra formatting options to the pretty template");
  const fetch = (ref: string) => ctx.client.json<Secret | Config>("GET", `/${kind}s/${encodeURIComponent(ref)}`);
  if (format === "pretty") {
    // Docker prints nothing when one of them fails.
    const pretty: string[] = [];
    for (const ref of refs) {
      const object = await fetch(ref);
      pretty.push(kind === "secret" ? prettySecret(object as Secret) : prettyConfig(object as Config));
    }
    ctx.out(pretty.join(""));
    return;
  }
  const found: (Secret | Config)[] = [];
  const errors: string[] = [];
  for (const ref of refs) {
    try {
      found.push(await fetch(ref));
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      errors.push(error.message);
    }
  }
  ctx.out(inspectOutput(found, format));
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}
