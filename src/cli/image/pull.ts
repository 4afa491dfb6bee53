import { registryAuthHeaders } from "../auth/docker-config.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { bodyChunks } from "../stream-demux.ts";

/** Splits a reference into `fromImage` and `tag` as the docker CLI sends them. */
export function pullQuery(reference: string): { fromImage: string; tag?: string } {
  const at = reference.indexOf("@");
  if (at >= 0) return { fromImage: reference.slice(0, at), tag: reference.slice(at + 1) };
  const colon = reference.lastIndexOf(":");
  if (colon > reference.lastIndexOf("/")) return { fromImage: reference.slice(0, colon), tag: reference.slice(colon + 1) };
  return { fromImage: reference, tag: "latest" };
}

/**
 * Pulls an image through the daemon (`POST /images/create` with the caller's stored registry
 * credentials in `X-Registry-Auth`), writing its progress lines to `write`.
 */
export async function pullImage(ctx: CliContext, reference: string, write: (text: string) => void): Promise<void> {
  const response = await ctx.client.request("POST", "/images/create", { query: pullQuery(reference), headers: registryAuthHeaders(reference, ctx.env) });
  const decoder = new TextDecoder();
  let buffered = "";
  const show = (line: string) => {
    if (!line.trim()) return;
    const message = JSON.parse(line) as { status?: string; id?: string; error?: string };
    if (message.error) throw new CliError(message.error);
    if (message.status) write(message.id ? `${message.id}: ${message.status}\n` : `${message.status}\n`);
  };
  for await (const chunk of bodyChunks(response.body)) {
    buffered += decoder.decode(chunk, { stream: true });
    const lines = buffered.split(/\r?\n/);
    buffered = lines.pop()!;
    lines.forEach(show);
  }
  show(buffered + decoder.decode());
}

/** `shoal pull NAME[:TAG|@DIGEST]`: pulls an image through the daemon, printing its progress. */
export async function pullCommand(ctx: CliContext, reference: string): Promise<void> {
  await pullImage(ctx, reference, (text) => ctx.out(text));
}
