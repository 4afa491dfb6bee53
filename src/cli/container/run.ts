import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { hijack } from "../hijack.ts";
import { streamHijacked } from "../hijacked-streams.ts";
import { createContainer, parseCreateFlags, statusError } from "./create.ts";
import type { CreateFlags } from "./create-flags.ts";
import { monitorTtySize } from "./tty-size.ts";
import { waitForExit } from "./wait-exit.ts";

/** Flags of `shoal run` beyond those of create. */
export interface RunFlags extends CreateFlags {
  detach?: boolean;
  detachKeys?: string;
}

/** A daemon error from creating or starting, with docker's exit codes: 127 not found, 126 not executable, else 125. */
function toStatusError(error: unknown): unknown {
  if (!(error instanceof CliError)) return error;
  const message = error.message;
  if (/executable file not found|no such file or directory/.test(message)) return statusError("run", message, 127);
  if (/permission denied|is a directory/.test(message)) return statusError("run", message, 126);
  return statusError("run", message, 125);
}

/**
 * `shoal run`: creates the container (pulling a missing image), and with `-d` starts it and prints
 * its ID; in the foreground attaches first (hijacked), asks for its next exit, starts it, copies
 * its output and exits with its exit code, as docker's runContainer does.
 */
export async function runCommand(ctx: CliContext, image: string, args: string[], flags: RunFlags): Promise<void> {
  const request = parseCreateFlags(ctx, "run", image, args, flags);
  const config = request.body as Record<string, unknown>;
  if (flags.detach) {
    if (flags.attach?.length) throw new CliError("conflicting options: cannot specify both --attach and --detach");
    Object.assign(config, { AttachStdin: false, AttachStdout: false, AttachStderr: false, StdinOnce: false });
  } else if (config.AttachStdin && config.Tty && !ctx.streams.stdinIsTerminal) {
    throw new CliError("the input device is not a TTY");
  }
  const tty = Boolean(config.Tty);
  const attachStdin = Boolean(config.AttachStdin);
  const attach = attachStdin || Boolean(config.AttachStdout) || Boolean(config.AttachStderr);

  let id: string;
  try {
    id = await createContainer(ctx, request, flags.quiet);
  } catch (error) {
    throw toStatusError(error);
  }
  const path = `/containers/${encodeURIComponent(id)}`;
  const connection = attach
    ? await hijack(ctx.client, "POST", `${path}/attach`, {
        query: { stream: 1, stdin: attachStdin ? 1 : undefined, stdout: config.AttachStdout ? 1 : undefined, stderr: config.AttachStderr ? 1 : undefined, detachKeys: flags.detachKeys },
      })
    : undefined;
  const autoRemove = Boolean((request.body.HostConfig as { AutoRemove?: boolean }).AutoRemove);
  const exit = await waitForExit(ctx, id, autoRemove ? "removed" : "next-exit");

  try {
    await ctx.client.request("POST", `${path}/start`);
  } catch (error) {
    connection?.close();
    exit.cancel();
    throw toStatusError(error);
  }
  if (!connection) {
    exit.cancel();
    ctx.out(`${id}\n`);
    return;
  }
  const stopResize = tty && ctx.streams.stdoutIsTerminal ? monitorTtySize(ctx, `${path}/resize`) : () => {};
  try {
    await streamHijacked(ctx.streams, connection, { tty, stdin: attachStdin });
  } finally {
    stopResize();
  }
  const status = await exit.status;
  if (status !== 0) throw new CliError("", status);
}
