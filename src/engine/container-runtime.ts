import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { mountOverlay, unmount } from "../../native/index.ts";
import { ShoalError, sleep, systemClock, type Clock } from "../lib/index.ts";

/** Where the runtime keeps things and which programs it runs. */
export interface ContainerRuntimeOptions {
  /** `<data-root>/engine/containers`: one directory per container (bundle, upper layer, log). */
  containersDir: string;
  /** `<exec-root>`: runc's state, conmon's exit files and sockets. */
  execRoot: string;
  runtime?: string;
  conmon?: string;
  clock?: Clock;
}

/** A container's state as the OCI runtime reports it. */
export interface RuntimeState {
  status: "created" | "running" | "paused" | "stopped";
  pid: number;
}

/** One line of a container's log (conmon's k8s-file format). */
export interface LogLine {
  time: string;
  stream: "stdout" | "stderr";
  text: string;
  /** False when the line was cut (a partial line, `P`). */
  complete: boolean;
}

/**
 * Containers under an OCI runtime (runc) with conmon as their monitor: conmon holds the stdio,
 * writes the log and records the exit code, so a container outlives the daemon and is found again
 * by a new runtime object. The root filesystem is an overlay of the image's layers plus a
 * writable upper layer of the container's own.
 */
export class ContainerRuntime {
  readonly #options: Required<ContainerRuntimeOptions>;

  constructor(options: ContainerRuntimeOptions) {
    this.#options = { runtime: "/usr/sbin/runc", conmon: "/usr/bin/conmon", clock: systemClock, ...options };
    for (const dir of [options.containersDir, this.#runcRoot, this.#exitDir, this.#socketDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  get #runcRoot(): string {
    return join(this.#options.execRoot, "runc");
  }

  get #exitDir(): string {
    return join(this.#options.execRoot, "exits");
  }

  get #socketDir(): string {
    return join(this.#options.execRoot, "sockets");
  }

  /** The container's directory. */
  dir(id: string): string {
    return join(this.#options.containersDir, id);
  }

  /** The mounted root filesystem of a created container. */
  rootfs(id: string): string {
    return join(this.dir(id), "bundle", "rootfs");
  }

  /** Path of the container's log (k8s-file format). */
  logPath(id: string): string {
    return join(this.dir(id), "container.log");
  }

  /**
   * Creates a container: mounts its root filesystem over `layers` (top layer first), writes the
   * spec (its root path is set here) and has conmon run `runc create`. The process is created but
   * not started.
   */
  async create(id: string, spec: Record<string, unknown>, layers: readonly string[]): Promise<void> {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(id)) throw new ShoalError("invalid_argument", `invalid container id ${JSON.stringify(id)}`);
    const dir = this.dir(id);
    if (existsSync(dir)) throw new ShoalError("already_exists", `container ${id} already exists`);
    const rootfs = this.rootfs(id);
    for (const sub of ["upper", "work", "bundle"]) mkdirSync(join(dir, sub), { recursive: true, mode: 0o700 });
    mkdirSync(rootfs, { mode: 0o755 });
    try {
      mountOverlay(rootfs, layers, { upper: join(dir, "upper"), work: join(dir, "work") });
      writeFileSync(join(dir, "bundle", "config.json"), JSON.stringify({ ...spec, root: { ...(spec.root as object), path: rootfs } }));
      await this.#conmon(id);
    } catch (error) {
      await this.delete(id).catch(() => {});
      throw error instanceof ShoalError ? error : new ShoalError("internal", `container ${id} was not created: ${String(error)}`, { cause: error });
    }
  }

  async #conmon(id: string): Promise<void> {
    const dir = this.dir(id);
    const pidFile = join(dir, "pidfile");
    const errors = join(dir, "conmon.err");
    // conmon reports the outcome of `runc create` on the sync fd: {"data": pid} or {"data": -1, "message": …}.
    const syncFile = join(dir, "conmon.sync");
    const errorFd = openSync(errors, "w");
    const syncFd = openSync(syncFile, "w");
    const child = Bun.spawn(
      [
        this.#options.conmon, "--api-version", "1", "-c", id, "-u", id, "-n", id,
        "-r", this.#options.runtime, "-b", join(dir, "bundle"), "-p", pidFile,
        "-l", `k8s-file:${this.logPath(id)}`, "--exit-dir", this.#exitDir, "--socket-dir-path", this.#socketDir,
        "--runtime-arg", `--root=${this.#runcRoot}`, "--conmon-pidfile", join(dir, "conmon.pid"), "--syslog=false", "--log-level", "error",
      ],
      { stdio: ["ignore", errorFd, errorFd, syncFd], env: { ...process.env, _OCI_SYNCPIPE: "3" } },
    );
    closeSync(errorFd);
    closeSync(syncFd);
    await child.exited;
    for (let waited = 0; ; waited += 5) {
      const sync = readFileSync(syncFile, "utf8");
      const failure = /"data"\s*:\s*-1[^}]*?"message"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(sync);
      if (failure) throw new ShoalError("invalid_argument", `container ${id} was not created: ${JSON.parse(`"${failure[1]}"`)}`);
      if (existsSync(pidFile)) return;
      if (waited > 10_000) {
        const reason = readFileSync(errors, "utf8").trim() || sync.trim() || "conmon did not report";
        throw new ShoalError("internal", `container ${id} was not created within 10 s: ${reason}`);
      }
      await sleep(this.#options.clock, 5);
    }
  }

  #logText(id: string): string {
    return this.logs(id).map((line) => line.text).join("\n");
  }

  #runc(args: string[]): { exitCode: number; stdout: string; stderr: string } {
    const result = Bun.spawnSync([this.#options.runtime, "--root", this.#runcRoot, ...args], { stdout: "pipe", stderr: "pipe" });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
  }

  /** Starts a created container's process. */
  start(id: string): void {
    const result = this.#runc(["start", id]);
    if (result.exitCode !== 0) throw new ShoalError("internal", `container ${id} did not start: ${result.stderr.trim()}`);
  }

  /** What the runtime knows of the container, or null when it has none by that ID. */
  state(id: string): RuntimeState | null {
    const result = this.#runc(["state", id]);
    if (result.exitCode !== 0) return null;
    const state = JSON.parse(result.stdout) as RuntimeState;
    return { status: state.status, pid: state.pid };
  }

  /** The exit code conmon recorded, or null while the container has not exited. */
  exitCode(id: string): number | null {
    try {
      return Number(readFileSync(join(this.#exitDir, id), "utf8").trim());
    } catch {
      return null;
    }
  }

  /** Waits for the container to exit and returns its exit code. */
  async wait(id: string, timeoutMs = Number.POSITIVE_INFINITY): Promise<number> {
    for (let waited = 0; ; waited += 10) {
      const code = this.exitCode(id);
      if (code !== null) return code;
      if (waited >= timeoutMs) throw new ShoalError("deadline_exceeded", `container ${id} did not exit within ${timeoutMs} ms`);
      await sleep(this.#options.clock, 10);
    }
  }

  /** Sends a signal to the container's main process. */
  kill(id: string, signal = "SIGTERM"): void {
    const result = this.#runc(["kill", id, signal]);
    if (result.exitCode !== 0 && this.exitCode(id) === null) throw new ShoalError("internal", `cannot signal container ${id}: ${result.stderr.trim()}`);
  }

  /** `docker stop`: the stop signal, then SIGKILL after the grace period. Returns the exit code. */
  async stop(id: string, graceMs = 10_000, signal = "SIGTERM"): Promise<number> {
    if (this.exitCode(id) !== null) return this.exitCode(id)!;
    this.kill(id, signal);
    try {
      return await this.wait(id, graceMs);
    } catch {
      this.kill(id, "SIGKILL");
      return this.wait(id, 10_000);
    }
  }

  /** Removes the container: its runtime state, root filesystem mount, directory and exit file. */
  async delete(id: string): Promise<void> {
    this.#runc(["delete", "--force", id]);
    unmount(this.rootfs(id));
    rmSync(this.dir(id), { recursive: true, force: true });
    rmSync(join(this.#exitDir, id), { force: true });
  }

  /** The container's log lines so far. */
  logs(id: string): LogLine[] {
    let text: string;
    try {
      text = readFileSync(this.logPath(id), "utf8");
    } catch {
      return [];
    }
    const lines: LogLine[] = [];
    for (const line of text.split("\n")) {
      const match = /^(\S+) (stdout|stderr) ([FP]) ?(.*)$/.exec(line);
      if (match) lines.push({ time: match[1]!, stream: match[2] as "stdout" | "stderr", complete: match[3] === "F", text: match[4]! });
    }
    return lines;
  }
}
