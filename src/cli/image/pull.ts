import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

/** Splits a reference into `fromImage` and `tag` as the docker CLI sends them. */
export function pullQuery(reference: string): { fromImage: string; tag?: string } {
  const at = reference.indexOf("@");
  if (at >= 0) return { fromImage: reference.slice(0, at), tag: reference.slice(at + 1) };
  const colon = reference.lastIndexOf(":");
  if (colon > reference.lastIndexOf("/")) return { fromImage: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { fromImage: reference, tag: "latest" };
}

/** `shoal pull NAME[:TAG|@DIGEST]`: pulls an image through the daemon, printing its progress. */
export async function pullCommand(ctx: CliContext, reference: string): Promise<void> {
  const response = await ctx.client.request("POST", "/images/create", { query: pullQuery(reference) });
  const text = await response.text();
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const message = JSON.parse(line) as { status?: string; id?: string; error?: string };
    if (message.error) throw new CliError(message.error);
    if (message.status) ctx.out(message.id ? `${message.id}: ${message.status}\n` : `${message.status}\n`);
  }
}
