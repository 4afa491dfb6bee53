import type { Node } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { inspectOutput } from "../format/inspect-output.ts";
import { resolveNodeRef } from "./node-ref.ts";
import { prettyNode } from "./pretty.ts";

/** `shoal node inspect [--pretty] [-f FORMAT] self|NODE...`: the nodes as JSON, through a template, or in docker's pretty layout. */
export async function nodeInspectCommand(ctx: CliContext, refs: string[], options: { format?: string; pretty?: boolean }): Promise<void> {
  const format = options.pretty ? "pretty" : options.format;
  if (format?.startsWith("pretty") && format !== "pretty") throw new CliError("cannot supply extra formatting options to the pretty template");
  const fetch = async (ref: string) => ctx.client.json<Node>("GET", `/nodes/${encodeURIComponent(await resolveNodeRef(ctx, ref))}`);
  if (format === "pretty") {
    // Docker renders nothing when one node fails.
    const nodes: Node[] = [];
    for (const ref of refs) nodes.push(await fetch(ref));
    ctx.out(nodes.map(prettyNode).join(""));
    return;
  }
  const found: Node[] = [];
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
