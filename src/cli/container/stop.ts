import type { CliContext } from "../context.ts";
import { containerPath, forEachContainer } from "./each-container.ts";

/** Flags of `shoal stop` and `shoal restart`. */
export interface StopOptions {
  timeout?: string;
  signal?: string;
}

/** `shoal stop [-t SECONDS] [-s SIGNAL] CONTAINER...`: stops containers, printing each name. */
export async function stopCommand(ctx: CliContext, names: string[], options: StopOptions): Promise<void> {
  await forEachContainer(ctx, names, async (name) => {
    await ctx.client.request("POST", `${containerPath(name)}/stop`, { query: { signal: options.signal, t: options.timeout } });
  });
}

/** `shoal restart [-t SECONDS] [-s SIGNAL] CONTAINER...`: restarts containers, printing each name. */
export async function restartCommand(ctx: CliContext, names: string[], options: StopOptions): Promise<void> {
  await forEachContainer(ctx, names, async (name) => {
    await ctx.client.request("POST", `${containerPath(name)}/restart`, { query: { signal: options.signal, t: options.timeout } });
  });
}

/** `shoal kill [-s SIGNAL] CONTAINER...`: sends a signal (SIGKILL by default), printing each name. */
export async function killCommand(ctx: CliContext, names: string[], options: { signal?: string }): Promise<void> {
  await forEachContainer(ctx, names, async (name) => {
    await ctx.client.request("POST", `${containerPath(name)}/kill`, { query: { signal: options.signal } });
  });
}
