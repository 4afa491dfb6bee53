import type { SystemInfo } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { readLine } from "../prompt.ts";

/** Reads the unlock key: typed without echo after a prompt on a terminal, else the first line of standard input. */
async function readKey(ctx: CliContext, prompt: string): Promise<string> {
  if (!ctx.streams.stdinIsTerminal) return ((await readLine(ctx.streams)) ?? "").trim();
  ctx.out(prompt);
  const restore = ctx.streams.makeRaw();
  try {
    return (await readLine(ctx.streams)) ?? "";
  } finally {
    restore();
    ctx.out("\n");
  }
}

/** `shoal swarm unlock`: gives a locked manager (autolock) its unlock key. */
export async function swarmUnlockCommand(ctx: CliContext): Promise<void> {
  const info = await ctx.client.json<SystemInfo>("GET", "/info");
  const state = info.Swarm?.LocalNodeState;
  if (state === "inactive") throw new CliError("Error: This node is not part of a swarm");
  if (state === "pending" || state === "active" || state === "error") throw new CliError("Error: swarm is not locked");
  const key = await readKey(ctx, "Enter unlock key: ");
  await ctx.client.request("POST", "/swarm/unlock", { body: { UnlockKey: key } });
}
