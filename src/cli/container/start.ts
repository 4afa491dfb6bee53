import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { hijack } from "../hijack.ts";
import { streamHijacked } from "../hijacked-streams.ts";
import type { ContainerInspect } from "./api-types.ts";
import { containerPath } from "./each-container.ts";
import { monitorTtySize } from "./tty-size.ts";
import { waitForExit } from "./wait-exit.ts";

/** Flags of `shoal start`. */
export interface StartOptions {
  attach?: boolean;
  interactive?: boolean;
  detachKeys?: string;
}

/** `start -a`: attaches to one container, starts it, copies its output and exits with its code. */
async function startAttached(ctx: CliContext, name: string, options: StartOptions): Promise<void> {
  const container = await ctx.client.json<ContainerInspect>("GET", `${containerPath(name)}/json`);
  const tty = container.Config.Tty;
  const stdin = Boolean(options.interactive && container.Config.OpenStdin);
  if (stdin && tty && !ctx.streams.stdinIsTerminal) throw new CliError("the input device is not a TTY");
  const path = containerPath(container.Id);
  const connection = await hijack(ctx.client, "POST", `${path}/attach`, {
    query: { stream: 1, stdin: stdin ? 1 : undefined, stdout: 1, stderr: 1, detachKeys: options.detachKeys },
  });
  const exit = await waitForExit(ctx, container.Id, "next-exit");
  try {
    await ctx.client.request("POST", `${path}/start`);
  } catch (error) {
    connection.close();
    exit.cancel();
    throw error;
  }
  const stopResize = tty && ctx.streams.stdoutIsTerminal ? monitorTtySize(ctx, `${path}/resize`) : () => {};
  try {
    await streamHijacked(ctx.streams, connection, { tty, stdin });
  } finally {
    stopResize();
  }
  const status = await exit.status;
  if (status !== 0) throw new CliError("", status);
}

/** `shoal start [-a] [-i] CONTAINER...`: starts containers, printing each name (or attaching with -a/-i). */
export async function startCommand(ctx: CliContext, names: string[], options: StartOptions): Promise<void> {
  if (options.attach || options.interactive) {
    if (names.length > 1) throw new CliError("you cannot start and attach multiple containers at once");
    return startAttached(ctx, names[0]!, options);
  }
  const failed: string[] = [];
  for (const name of names) {
    try {
      await ctx.client.request("POST", `${containerPath(name)}/start`);
      ctx.out(`${name}\n`);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      ctx.err(`${error.message}\n`);
      failed.push(name);
    }
  }
  if (failed.length > 0) throw new CliError(`Error: failed to start containers: ${failed.join(", ")}`);
}
