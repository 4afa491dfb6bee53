import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** A `shoal daemon` process started by a test. */
export interface DaemonProcess {
  readonly pid: number;
  readonly socket: string;
  readonly logFile: string;
  /** Resolves with the exit code (or 128+signal) when the process ends. */
  readonly exited: Promise<number>;
  /** Whether the process has ended. */
  hasExited(): boolean;
  /** The daemon's log so far. */
  log(): string;
}

/** Options of {@link startDaemonProcess}. */
export interface DaemonProcessOptions {
  binary: string;
  dataRoot: string;
  execRoot: string;
  logFile: string;
  /** Command words placed before the binary (nsenter, unshare…). */
  prefix?: string[];
  extraArgs?: string[];
  env?: Record<string, string | undefined>;
  /** Start from an empty environment instead of this process's (default true). */
  inheritEnv?: boolean;
  /** Leave the daemon running after this process exits (the demo). */
  detached?: boolean;
}

/** Starts `shoal daemon` with its own roots, logging to a file; does not wait for it to be ready. */
export function startDaemonProcess(options: DaemonProcessOptions): DaemonProcess {
  mkdirSync(options.execRoot, { recursive: true });
  const socket = join(options.execRoot, "shoal.sock");
  const logFd = openSync(options.logFile, "a");
  const argv = [
    ...(options.prefix ?? []),
    options.binary,
    "daemon",
    "--data-root",
    options.dataRoot,
    "--exec-root",
    options.execRoot,
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(argv[0]!, argv.slice(1), {
    stdio: ["ignore", logFd, logFd],
    env: { ...(options.inheritEnv === false ? {} : process.env), ...options.env },
    detached: options.detached ?? false,
  });
  closeSync(logFd);
  if (options.detached) child.unref();
  let ended = false;
  const exited = new Promise<number>((resolve) =>
    child.on("exit", (code, signal) => {
      ended = true;
      resolve(code ?? 128 + (signal ? signalNumber(signal) : 0));
    }),
  );
  return {
    pid: child.pid!,
    socket,
    logFile: options.logFile,
    exited,
    hasExited: () => ended,
    log: () => {
      try {
        return readFileSync(options.logFile, "utf8");
      } catch {
        return "";
      }
    },
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return ({ SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 0;
}

/** Answers whether a daemon serves `/_ping` on `socket`. */
export async function pingSocket(socket: string): Promise<boolean> {
  try {
    const response = await fetch("http://shoal/_ping", { unix: socket, signal: AbortSignal.timeout(1000) });
    return response.ok && (await response.text()) === "OK";
  } catch {
    return false;
  }
}

/** Waits until the daemon answers on its socket; fails with its log when it dies or takes too long. */
export async function waitForDaemon(daemon: DaemonProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await pingSocket(daemon.socket)) return;
    if (daemon.hasExited()) throw new Error(`shoal daemon exited before it was ready:\n${daemon.log()}`);
    await Bun.sleep(10);
  }
  throw new Error(`shoal daemon did not answer on ${daemon.socket} within ${timeoutMs} ms:\n${daemon.log()}`);
}
