import { ApiClient, resolveHost } from "./api-client.ts";
import { processStreams, type CliStreams } from "./streams.ts";

/** What every CLI command works with: the daemon client and where output goes. */
export interface CliContext {
  readonly client: ApiClient;
  /** Writes text to standard output. */
  out(text: string): void;
  /** Writes text to standard error. */
  err(text: string): void;
  /** The standard streams and terminal, for commands that stream (run, exec, logs, login). */
  readonly streams: CliStreams;
  /** The environment (DOCKER_CONFIG, HOME). */
  readonly env: Record<string, string | undefined>;
}

/** The context of a real invocation: the host from flags or environment, this process's streams. */
export function cliContext(globalOptions: { host?: string }): CliContext {
  const streams = processStreams();
  return {
    client: new ApiClient(resolveHost(globalOptions.host)),
    out: (text) => streams.stdout(text),
    err: (text) => streams.stderr(text),
    streams,
    env: process.env,
  };
}
