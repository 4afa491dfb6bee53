import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { payloadLabels, readPayloadData } from "./payload-input.ts";

/** The flags of `secret create`. */
export interface SecretCreateOptions {
  label?: string[];
  driver?: string;
  templateDriver?: string;
}

/**
 * `shoal secret create [-l LABEL] [-d DRIVER] [--template-driver T] NAME [FILE|-]`: creates a
 * secret from a file or standard input and prints its ID (docker's runSecretCreate). A driver takes
 * no data; the managers decide whether they support it.
 */
export async function secretCreateCommand(ctx: CliContext, name: string, file: string | undefined, options: SecretCreateOptions): Promise<void> {
  const labels = payloadLabels("secret create", options.label);
  let data: Uint8Array | undefined;
  if (options.driver) {
    if (file) throw new CliError("When using secret driver secret data must be empty");
  } else {
    data = await readPayloadData(ctx, "secret", file);
  }
  const spec = {
    Name: name,
    Labels: labels,
    ...(data ? { Data: Buffer.from(data).toString("base64") } : {}),
    ...(options.driver ? { Driver: { Name: options.driver } } : {}),
    ...(options.templateDriver ? { Templating: { Name: options.templateDriver } } : {}),
  };
  const created = await ctx.client.json<{ ID: string }>("POST", "/secrets/create", { body: spec });
  ctx.out(`${created.ID}\n`);
}
