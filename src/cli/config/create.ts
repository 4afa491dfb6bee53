import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { payloadLabels, readPayloadData } from "../secret/payload-input.ts";

/**
 * `shoal config create [-l LABEL] [--template-driver T] NAME FILE|-`: creates a config from a file
 * or standard input and prints its ID (docker's RunConfigCreate, its error wording included).
 */
export async function configCreateCommand(ctx: CliContext, name: string, file: string, options: { label?: string[]; templateDriver?: string }): Promise<void> {
  const labels = payloadLabels("config create", options.label);
  let data: Uint8Array;
  try {
    data = await readPayloadData(ctx, "config", file);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new CliError(`Error reading content from ${JSON.stringify(file)}: ${error.message}`);
  }
  const spec = {
    Name: name,
    Labels: labels,
    Data: Buffer.from(data).toString("base64"),
    ...(options.templateDriver ? { Templating: { Name: options.templateDriver } } : {}),
  };
  const created = await ctx.client.json<{ ID: string }>("POST", "/configs/create", { body: spec });
  ctx.out(`${created.ID}\n`);
}
