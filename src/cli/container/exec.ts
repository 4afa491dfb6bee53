import { readFileSync } from "node:fs";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { hijack } from "../hijack.ts";
import { streamHijacked } from "../hijacked-streams.ts";
import { containerPath } from "./each-container.ts";
import { monitorTtySize } from "./tty-size.ts";

/** Flags of `shoal exec`. */
export interface ExecOptions {
  detach?: boolean;
  interactive?: boolean;
  tty?: boolean;
  env?: string[];
  envFile?: string[];
  user?: string;
  workdir?: string;
  privileged?: boolean;
  detachKeys?: string;
}

/** `-e` and `--env-file` values, as for run (a bare NAME takes the caller's value). */
function execEnv(ctx: CliContext, options: ExecOptions): string[] {
  const resolve = (item: string) => (item.includes("=") || ctx.env[item] === undefined ? item : `${item}=${ctx.env[item]}`);
  const fromFiles = (options.envFile ?? []).flatMap((path) => {
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new CliError(`open ${path}: no such file or directory`);
    }
    return text.split(/\r?\n/).map((line) => line.trimStart()).filter((line) => line !== "" && !line.startsWith("#"));
  });
  return [...fromFiles, ...(options.env ?? [])].map(resolve);
}

/**
 * `shoal exec CONTAINER COMMAND...`: checks the container exists, creates the exec, then starts it
 * detached (`-d`) or hijacked: output copied, stdin forwarded with `-i` (half-closed at its end),
 * a raw terminal and size updates with `-t`; exits with the command's exit code from
 * `GET /exec/{id}/json`, as docker does.
 */
export async function execCommand(ctx: CliContext, name: string, command: string[], options: ExecOptions): Promise<void> {
  const env = execEnv(ctx, options);
  await ctx.client.request("GET", `${containerPath(name)}/json`).then((response) => response.body?.cancel());
  const attachStdin = !options.detach && Boolean(options.interactive);
  const tty = Boolean(options.tty);
  if (!options.detach && attachStdin && tty && !ctx.streams.stdinIsTerminal) throw new CliError("the input device is not a TTY");
  const size = tty ? ctx.streams.terminalSize() : undefined;
  const consoleSize = size ? [size.height, size.width] : undefined;
  const created = await ctx.client.json<{ Id: string }>("POST", `${containerPath(name)}/exec`, {
    body: {
      User: options.user ?? "",
      Privileged: Boolean(options.privileged),
      Tty: tty,
      ConsoleSize: consoleSize,
      AttachStdin: attachStdin,
      AttachStderr: !options.detach,
      AttachStdout: !options.detach,
      DetachKeys: options.detachKeys ?? "",
      Env: env,
      WorkingDir: options.workdir ?? "",
      Cmd: command,
    },
  });
  if (!created.Id) throw new CliError("exec ID empty");
  const execPath = `/exec/${encodeURIComponent(created.Id)}`;
  if (options.detach) {
    await ctx.client.request("POST", `${execPath}/start`, { body: { Detach: true, Tty: tty, ConsoleSize: consoleSize } });
    return;
  }
  const connection = await hijack(ctx.client, "POST", `${execPath}/start`, { body: { Detach: false, Tty: tty, ConsoleSize: consoleSize } });
  const stopResize = tty && ctx.streams.stdinIsTerminal ? monitorTtySize(ctx, `${execPath}/resize`) : () => {};
  try {
    await streamHijacked(ctx.streams, connection, { tty, stdin: attachStdin });
  } finally {
    stopResize();
  }
  const inspect = await ctx.client.json<{ ExitCode: number | null; Running: boolean }>("GET", `${execPath}/json`);
  const status = inspect.ExitCode ?? 0;
  if (status !== 0) throw new CliError("", status);
}
