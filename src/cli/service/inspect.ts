import type { Service } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { inspectOutput } from "../format/inspect-output.ts";
import { prettyService } from "./pretty.ts";

/** `shoal service inspect [--pretty] [-f FORMAT] SERVICE...`: `GET /services/{id}?insertDefaults=1` for each. */
export async function serviceInspectCommand(ctx: CliContext, refs: string[], options: { format?: string; pretty?: boolean }): Promise<void> {
  const format = options.pretty ? "pretty" : options.format;
  if (format?.startsWith("pretty") && format !== "pretty") throw new CliError("cannot supply extra formatting options to the pretty template");
  const fetch = (ref: string) => ctx.client.json<Service>("GET", `/services/${encodeURIComponent(ref)}`, { query: { insertDefaults: "1" } });
  if (format === "pretty") {
    let text = "";
    for (const ref of refs) {
      const service = await fetch(ref);
      const names = new Map<string, string>();
      for (const network of service.Spec.TaskTemplate.Networks ?? []) {
        try {
          names.set(network.Target, (await ctx.client.json<{ Name: string }>("GET", `/networks/${encodeURIComponent(network.Target)}`, { query: { scope: "swarm" } })).Name);
        } catch {
          // docker shows the ID when the network cannot be read
        }
      }
      text += prettyService(service, names);
    }
    ctx.out(text);
    return;
  }
  const found: Service[] = [];
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
