import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { shoalBinary } from "./binary.ts";
import { startDaemonProcess, waitForDaemon, type DaemonProcess } from "./daemon-process.ts";
import { run, type CommandResult, type RunOptions } from "./run.ts";

/** A daemon of the built binary in the root network namespace, with private roots under /tmp. */
export interface TestDaemon {
  readonly dir: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  readonly binary: string;
  daemon: DaemonProcess;
  /** Starts the daemon again on the same roots (after it stopped). */
  restart(extra?: { env?: Record<string, string>; args?: string[] }): Promise<void>;
  /** Sends `signal` and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
  shoal(args: string[], options?: RunOptions): Promise<CommandResult>;
  docker(args: string[], options?: RunOptions): Promise<CommandResult>;
  /** Stops the daemon if it runs and removes its directory. */
  dispose(): Promise<void>;
}

/** Options of {@link startTestDaemon}. */
export interface TestDaemonOptions {
  env?: Record<string, string | undefined>;
  /** Start the daemon from an empty environment plus `env` (default: inherit this process's). */
  inheritEnv?: boolean;
  args?: string[];
  binary?: string;
  /** Directory to use instead of a fresh one under /tmp. */
  dir?: string;
  /**
   * Keep the default `bridge` network (default false: the daemon gets `--bridge none`, since it runs
   * in the host's root network namespace and must not make bridges or nftables rules there).
   */
  bridge?: boolean;
  /** Do not wait for the socket to answer. */
  noWait?: boolean;
}

/** Starts a daemon with fresh roots and waits until it answers. */
export async function startTestDaemon(options: TestDaemonOptions = {}): Promise<TestDaemon> {
  const binary = options.binary ?? (await shoalBinary());
  const dir = options.dir ?? mkdtempSync("/tmp/shoal-daemon-");
  const dataRoot = join(dir, "data");
  const execRoot = join(dir, "run");
  const launch = (extra: { env?: Record<string, string>; args?: string[] } = {}) =>
    startDaemonProcess({
      binary,
      dataRoot,
      execRoot,
      logFile: join(dir, "daemon.log"),
      env: { ...options.env, ...extra.env },
      inheritEnv: options.inheritEnv,
      extraArgs: [...(options.bridge ? [] : ["--bridge", "none"]), ...(extra.args ?? options.args ?? [])],
    });
  const handle: TestDaemon = {
    dir,
    dataRoot,
    execRoot,
    socket: join(execRoot, "shoal.sock"),
    binary,
    daemon: launch(),
    async restart(extra) {
      handle.daemon = launch(extra);
      await waitForDaemon(handle.daemon);
    },
    async stop(signal = "SIGTERM") {
      if (!handle.daemon.hasExited()) process.kill(handle.daemon.pid, signal);
      return handle.daemon.exited;
    },
    shoal: (args, runOptions) => run([binary, "-H", `unix://${handle.socket}`, ...args], runOptions),
    docker: (args, runOptions) =>
      run(["docker", ...args], {
        ...runOptions,
        env: { DOCKER_HOST: `unix://${handle.socket}`, DOCKER_CONFIG: join(dir, "docker-config"), ...runOptions?.env },
      }),
    async dispose() {
      if (!handle.daemon.hasExited()) await handle.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (!options.noWait) {
    try {
      await waitForDaemon(handle.daemon);
    } catch (error) {
      await handle.dispose();
      throw error;
    }
  }
  return handle;
}
