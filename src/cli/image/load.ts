import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";

/** `shoal load [-i FILE]`: sends a docker-save or OCI archive (a file, or standard input) to the daemon. */
export async function loadCommand(ctx: CliContext, options: { input?: string }): Promise<void> {
  let body: ReadableStream<Uint8Array>;
  if (options.input) {
    const file = Bun.file(options.input);
    if (!(await file.exists())) throw new CliError(`open ${options.input}: no such file or directory`);
    body = file.stream();
  } else {
    if (process.stdin.isTTY) throw new CliError("requested load from stdin, but stdin is empty");
    body = Bun.stdin.stream();
  }
  const response = await ctx.client.request("POST", "/images/load", { rawBody: body, contentType: "application/x-tar" });
  for (const line of (await response.text()).split(/\r?\n/)) {
    if (!line.trim()) continue;
    const message = JSON.parse(line) as { stream?: string; error?: string };
    if (message.error) throw new CliError(message.error);
    if (message.stream) ctx.out(message.stream);
  }
}
