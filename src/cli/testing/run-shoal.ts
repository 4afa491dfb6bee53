/** Runs the shoal CLI in-process against a fake daemon, with fake standard streams (CLI unit tests). */
import { CommanderError } from "commander";
import { ApiClient } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { buildProgram } from "../program.ts";
import type { CliStreams } from "../streams.ts";

/** What a run printed and its exit code. */
export interface ShoalResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** How often the terminal was put in raw mode. */
  rawModes: number;
}

/** Options of {@link runShoal}. */
export interface RunShoalOptions {
  /** Standard input: chunks yielded in order (a function may wait between them). */
  stdin?: string[] | (() => AsyncIterable<Uint8Array>);
  env?: Record<string, string | undefined>;
  terminal?: boolean;
}

/** Runs `shoal -H host args…` in this process and collects its output. */
export async function runShoal(host: string, args: string[], options: RunShoalOptions = {}): Promise<ShoalResult> {
  const stdout: Uint8Array[] = [];
  const stderr: Uint8Array[] = [];
  const encoder = new TextEncoder();
  const bytes = (data: Uint8Array | string) => (typeof data === "string" ? encoder.encode(data) : new Uint8Array(data));
  let rawModes = 0;
  const input = options.stdin;
  const streams: CliStreams = {
    stdout: (data) => void stdout.push(bytes(data)),
    stderr: (data) => void stderr.push(bytes(data)),
    stdin: (signal) => {
      const source = typeof input === "function" ? input() : (async function* () {
        for (const chunk of input ?? []) yield encoder.encode(chunk);
      })();
      return (async function* () {
        for await (const chunk of source) {
          if (signal?.aborted) return;
          yield chunk;
        }
      })();
    },
    stdinIsTerminal: Boolean(options.terminal),
    stdoutIsTerminal: Boolean(options.terminal),
    terminalSize: () => (options.terminal ? { height: 40, width: 120 } : undefined),
    makeRaw: () => {
      rawModes++;
      return () => {};
    },
    onResize: () => () => {},
  };
  const makeContext = (globalOptions: { host?: string }): CliContext => ({
    client: new ApiClient(globalOptions.host ?? host),
    out: (text) => streams.stdout(text),
    err: (text) => streams.stderr(text),
    streams,
    env: options.env ?? {},
  });
  const program = buildProgram({ runDaemon: async () => 0 }, (text) => streams.stderr(text), makeContext).exitOverride();
  const previous = process.exitCode;
  process.exitCode = 0;
  let exitCode = 0;
  try {
    await program.parseAsync(["-H", host, ...args], { from: "user" });
    exitCode = Number(process.exitCode ?? 0);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    exitCode = error.exitCode === 0 || error.exitCode === 125 ? error.exitCode : 1;
  } finally {
    process.exitCode = previous;
  }
  const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString("utf8");
  return { stdout: text(stdout), stderr: text(stderr), exitCode, rawModes };
}
