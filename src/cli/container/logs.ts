import { apiTimestamp } from "../api-timestamp.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { bodyChunks, copyOutput } from "../stream-demux.ts";
import type { ContainerInspect } from "./api-types.ts";
import { containerPath } from "./each-container.ts";

/** Flags of `shoal logs`. */
export interface LogsOptions {
  follow?: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps?: boolean;
  details?: boolean;
}

/**
 * `shoal logs CONTAINER`: inspects the container (a TTY container's log is one raw stream), then
 * copies `GET /containers/{id}/logs` to stdout and stderr, demultiplexing when needed.
 */
export async function logsCommand(ctx: CliContext, name: string, options: LogsOptions, now: Date = new Date()): Promise<void> {
  const since = options.since ? apiTimestamp(options.since, now) : undefined;
  const until = options.until ? apiTimestamp(options.until, now) : undefined;
  const tail = options.tail ?? "all";
  if (tail !== "all" && !/^-?\d+$/.test(tail)) throw new CliError(`invalid value for "tail": ${JSON.stringify(tail)}`);
  const container = await ctx.client.json<ContainerInspect>("GET", `${containerPath(name)}/json`);
  const response = await ctx.client.request("GET", `${containerPath(container.Id)}/logs`, {
    query: {
      stdout: 1,
      stderr: 1,
      since,
      until,
      timestamps: options.timestamps ? 1 : undefined,
      details: options.details ? 1 : undefined,
      follow: options.follow ? 1 : undefined,
      tail,
    },
  });
  await copyOutput(bodyChunks(response.body), container.Config.Tty, { stdout: (data) => ctx.streams.stdout(data), stderr: (data) => ctx.streams.stderr(data) });
}
