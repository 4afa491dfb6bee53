import { closeSync, constants, existsSync, watch, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { mountOverlay, unmount } from "../../native/index.ts";
import { ShoalError, sleep, systemClock, type Clock, type Timer } from "../lib/index.ts";
import { followLog, normalizeLogLimits, readLogLines, requestLogReopen, rotateLog, type FollowLogOptions, type LogLimits, type LogLine } from "./container-log.ts";
import { ExecSession, type ExecOptions } from "./exec-session.ts";
import { AttachSession } from "./attach-session.ts";

export type { LogLine } from "./container-log.ts";

/** Least time between two writes to a conmon ctl fifo for resizes (see {@link ContainerRuntime.resize}). */
const RESIZE_SPACING_MS = 20;

/** The spec's process with the stdio the container was asked for: a terminal and its size, or not. */
function processStdio(process: unknown, options: CreateOptions): Record<string, unknown> {
  const base = { ...(process as Record<string, unknown>) };
  if (!options.tty) return { ...base, terminal: false };
  return { ...base, terminal: true, consoleSize: { height: options.consoleSize?.rows ?? 24, width: options.consoleSize?.cols ?? 80 } };
}

/** Writes one message to a conmon ctl fifo; false when nobody reads it (conmon is gone). */
function writeCtl(path: string, message: string): boolean {
  let fd: number;
  try {
    // Non-blocking: opening a fifo nobody reads fails with ENXIO instead of waiting forever.
    fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    return writeSync(fd, message) === Buffer.byteLength(message);
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/** Where the runtime keeps things and which programs it runs. */
export interface ContainerRuntimeOptions {
  /** `<data-root>/engine/containers`: one directory per container (bundle, upper layer, log). */
  containersDir: string;
  /** `<exec-root>`: runc's state, conmon's exit files and sockets. */
  execRoot: string;
  runtime?: string;
  conmon?: string;
  clock?: Clock;
  /** How often logs with a max-size are checked for rotation (ms). */
  logRotationIntervalMs?: number;
}

/** Options of a container beyond its spec. */
export interface CreateOptions {
  /** docker's `max-size`/`max-file` for the container's log; no limit by default. */
  log?: LogLimits;
  /** A terminal as the process's stdio (docker's `Tty`); its output is logged as stdout. */
  tty?: boolean;
  /** Keep the process's stdin open for attached clients (docker's `OpenStdin`). */
  stdin?: boolean;
  /** Close the process's stdin when the first attached client's input ends (docker's `StdinOnce`; without a TTY). */
  stdinOnce?: boolean;
  /** The terminal's size at start (tty only); 24×80 when not given. */
  consoleSize?: { rows: number; cols: number };
}

/** A container's state as the OCI runtime reports it. */
export interface RuntimeState {
  status: "created" | "running" | "paused" | "stopped";
  pid: number;
}

/**
 * Containers under an OCI runtime (runc) with conmon as their monitor: conmon holds the stdio,
 * writes the log and records the exit code, so a container outlives the daemon and is found again
 * by a new runtime object. The root filesystem is an overlay of the image's layers plus a
 * writable upper layer of the container's own.
 *
 * Log rotation (docker's max-size/max-file) is done by the runtime, not by conmon: conmon 2.1.6's
 * `--log-size-max` does not rotate but replaces the log with an empty file (the old lines are
 * lost), and its byte count is never reset by a reopen. Instead a check every
 * `logRotationIntervalMs` (200 ms) renames an oversized `container.log` to `container.log.1`
 * (shifting older files up to `container.log.<max-file − 1>`, removing what falls beyond) and writes
 * `2 0 0` (reopen logs) to conmon's `ctl` fifo; conmon then opens a new `container.log`. conmon
 * writes whole records between two reads of the container's output, and goes on writing into the
 * renamed file until it reopens, so no line is lost or split; files stay at max-size plus what the
 * container writes in one interval. With max-file 1 the log is removed instead, and what conmon
 * writes before it reopens goes with it (docker truncates then). No second rotation happens before
 * conmon has reopened (a reopen is asked for again only after 10 s without one: a late duplicate
 * would replace the new log). The limits are kept in the container's `log-limits.json`, so a new
 * runtime object (daemon restart) goes on rotating; while no runtime runs the log grows and is
 * rotated (as one larger file) at the next check.
 */
export class ContainerRuntime {
  readonly #options: Required<ContainerRuntimeOptions>;
  /** Containers whose log has limits, with when a reopen was last asked for while one is pending. */
  readonly #rotating = new Map<string, { limits: Required<LogLimits>; reopenAskedAt: number }>();
  #rotationTimer: Timer | null = null;
  /** When each TTY container's terminal was last resized, and a size waiting to be sent. */
  readonly #resizes = new Map<string, { lastAt: number; pending: string | null; timer: ReturnType<typeof setTimeout> | undefined }>();

  constructor(options: ContainerRuntimeOptions) {
    this.#options = { runtime: "/usr/sbin/runc", conmon: "/usr/bin/conmon", clock: systemClock, logRotationIntervalMs: 200, ...options };
    for (const dir of [options.containersDir, this.#runcRoot, this.#exitDir, this.#socketDir, this.#execDir]) mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const id of readdirSync(options.containersDir)) {
      try {
        const limits = normalizeLogLimits(JSON.parse(readFileSync(join(this.dir(id), "log-limits.json"), "utf8")) as LogLimits);
        if (limits && this.exitCode(id) === null) this.#watchLog(id, limits);
      } catch {
        // no limits for this container
      }
    }
  }

  get #execDir(): string {
    return join(this.#options.execRoot, "exec");
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
  async create(id: string, spec: Record<string, unknown>, layers: readonly string[], options: CreateOptions = {}): Promise<void> {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(id)) throw new ShoalError("invalid_argument", `invalid container id ${JSON.stringify(id)}`);
    const limits = normalizeLogLimits(options.log);
    const dir = this.dir(id);
    // A released container (it ran before) keeps its writable layer and log; anything else there is a clash.
    if (existsSync(join(dir, "bundle", "config.json")) || (existsSync(dir) && !existsSync(join(dir, "released")))) {
      throw new ShoalError("already_exists", `container ${id} already exists`);
    }
    rmSync(join(dir, "released"), { force: true });
    const rootfs = this.rootfs(id);
    // The upper directory is the root directory the container sees: 0755, or only root could use it.
    for (const sub of ["upper", "work", "bundle"]) mkdirSync(join(dir, sub), { recursive: true, mode: sub === "upper" ? 0o755 : 0o700 });
    mkdirSync(rootfs, { recursive: true, mode: 0o755 });
    try {
      mountOverlay(rootfs, layers, { upper: join(dir, "upper"), work: join(dir, "work") });
      writeFileSync(join(dir, "bundle", "config.json"), JSON.stringify({ ...spec, process: processStdio(spec.process, options), root: { ...(spec.root as object), path: rootfs } }));
      if (limits) writeFileSync(join(dir, "log-limits.json"), JSON.stringify(limits));
      await this.#conmon(id, options);
      if (limits) this.#watchLog(id, limits);
    } catch (error) {
      await this.delete(id).catch(() => {});
      throw error instanceof ShoalError ? error : new ShoalError("internal", `container ${id} was not created: ${String(error)}`, { cause: error });
    }
  }

  async #conmon(id: string, options: CreateOptions): Promise<void> {
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
        // With -t conmon holds the terminal's master (input goes there, and it is never closed);
        // with -i a stdin pipe, closed when an attached client's input ends unless left open.
        ...(options.tty ? ["-t"] : options.stdin ? ["-i", ...(options.stdinOnce ? [] : ["--leave-stdin-open"])] : []),
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

  #runc(args: string[]): { exitCode: number; stdout: string; stderr: string } {
    const result = Bun.spawnSync([this.#options.runtime, "--root", this.#runcRoot, ...args], { stdout: "pipe", stderr: "pipe" });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
  }

  /** Starts a created container's process. */
  start(id: string): void {
    const result = this.#runc(["start", id]);
    if (result.exitCode !== 0) throw new ShoalError("internal", `container ${id} did not start: ${result.stderr.trim()}`);
  }

  /** Freezes (`pause`) or thaws (`resume`) every process of the container (the cgroup freezer). */
  freeze(id: string, frozen: boolean): void {
    const result = this.#runc([frozen ? "pause" : "resume", id]);
    if (result.exitCode !== 0) throw new ShoalError("internal", `cannot ${frozen ? "pause" : "unpause"} container ${id}: ${result.stderr.trim()}`);
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
    const file = join(this.#exitDir, id);
    // existsSync first: polled often, a missing file must not cost a thrown error each time.
    if (!existsSync(file)) return null;
    try {
      // Empty while conmon is still writing it: not exited yet (a later event or sweep reads it).
      const text = readFileSync(file, "utf8").trim();
      return /^-?\d+$/.test(text) ? Number(text) : null;
    } catch {
      return null;
    }
  }

  /** Calls `onExit(id)` when conmon records a container's exit (inotify on the exit directory); returns a stop function. */
  watchExits(onExit: (id: string) => void): () => void {
    const watcher = watch(this.#exitDir, (_event, name) => {
      if (typeof name === "string" && this.exitCode(name) !== null) onExit(name);
    });
    watcher.on("error", () => {});
    return () => watcher.close();
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
  /**
   * Ends a container's run but keeps what a restart needs (its writable layer, log and log
   * limits): runtime state, rootfs mount, exit file and conmon's files go. `create` may follow.
   */
  async release(id: string): Promise<void> {
    this.#rotating.delete(id);
    this.#runc(["delete", "--force", id]);
    unmount(this.rootfs(id));
    const dir = this.dir(id);
    if (!existsSync(dir)) return;
    for (const file of ["pidfile", "conmon.pid", "conmon.sync", "conmon.err", join("bundle", "config.json")]) rmSync(join(dir, file), { force: true });
    rmSync(join(this.#exitDir, id), { force: true });
    rmSync(join(this.#socketDir, id), { force: true });
    writeFileSync(join(dir, "released"), "");
  }

  async delete(id: string): Promise<void> {
    this.#rotating.delete(id);
    this.#runc(["delete", "--force", id]);
    unmount(this.rootfs(id));
    rmSync(this.dir(id), { recursive: true, force: true });
    rmSync(join(this.#exitDir, id), { force: true });
    rmSync(join(this.#socketDir, id), { force: true });
  }

  /** The container's log lines so far, across its rotated files, oldest first. */
  logs(id: string): LogLine[] {
    return readLogLines(this.logPath(id));
  }

  /**
   * The container's log lines (the last `tail`, from `since`), then new lines as they are written,
   * across rotations; ends once the container has exited and all was read, or on abort.
   */
  followLogs(id: string, options: FollowLogOptions = {}): AsyncGenerator<LogLine> {
    if (!existsSync(this.dir(id))) throw new ShoalError("not_found", `No such container: ${id}`);
    return followLog(this.logPath(id), () => this.exitCode(id) !== null, options, this.#options.clock);
  }

  /** Starts a process in the running container (`docker exec`); see {@link ExecSession}. */
  exec(id: string, options: ExecOptions): ExecSession {
    const state = this.state(id);
    if (!state) throw new ShoalError("not_found", `No such container: ${id}`);
    if (state.status === "paused") throw new ShoalError("failed_precondition", `container ${id} is paused, unpause the container before exec`);
    if (state.status !== "running") throw new ShoalError("failed_precondition", `container ${id} is not running`);
    const config = JSON.parse(readFileSync(join(this.dir(id), "bundle", "config.json"), "utf8")) as { process: Record<string, unknown> };
    return new ExecSession(
      {
        runtime: this.#options.runtime,
        runcRoot: this.#runcRoot,
        containerId: id,
        containerProcess: config.process,
        rootfs: this.rootfs(id),
        sessionDir: join(this.#execDir, `${id}.${randomBytes(8).toString("hex")}`),
      },
      options,
    );
  }

  /**
   * Connects to the running container's main process (its output from now on, its stdin); see
   * {@link AttachSession}. Works for any container conmon monitors, also one started by an
   * earlier daemon.
   */
  attach(id: string): AttachSession {
    const state = this.state(id);
    if (!state) throw new ShoalError("not_found", `No such container: ${id}`);
    if (state.status === "stopped" || this.exitCode(id) !== null) throw new ShoalError("failed_precondition", "You cannot attach to a stopped container, start it first");
    return new AttachSession({ socketPath: join(this.#socketDir, id, "attach"), tty: this.#isTty(id), resize: (rows, cols) => this.resize(id, rows, cols) });
  }

  #isTty(id: string): boolean {
    try {
      const config = JSON.parse(readFileSync(join(this.dir(id), "bundle", "config.json"), "utf8")) as { process?: { terminal?: boolean } };
      return config.process?.terminal === true;
    } catch {
      return false;
    }
  }

  /**
   * Sets a TTY container's terminal size: `1 <rows> <cols>` on conmon's ctl fifo. conmon 2.1.6
   * handles only the first line of what one read returns (the next ones repeat the first), so
   * writes are spaced: a resize within 20 ms of the last one is sent 20 ms later, latest size only.
   * A container that has no TTY, or has exited, is left as it is.
   */
  resize(id: string, rows: number, cols: number): void {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0 || rows > 0xffff || cols > 0xffff) {
      throw new ShoalError("invalid_argument", `invalid terminal size ${rows}x${cols}`);
    }
    if (!this.#isTty(id)) return;
    const ctl = join(this.dir(id), "bundle", "ctl");
    const entry = this.#resizes.get(id) ?? { lastAt: 0, pending: null, timer: undefined };
    this.#resizes.set(id, entry);
    const now = Date.now();
    entry.pending = `1 ${rows} ${cols}\n`;
    if (entry.timer) return;
    const send = () => {
      entry.timer = undefined;
      if (entry.pending) writeCtl(ctl, entry.pending);
      entry.pending = null;
      entry.lastAt = Date.now();
    };
    if (now - entry.lastAt >= RESIZE_SPACING_MS) send();
    else entry.timer = setTimeout(send, RESIZE_SPACING_MS - (now - entry.lastAt));
  }

  #watchLog(id: string, limits: Required<LogLimits>): void {
    this.#rotating.set(id, { limits, reopenAskedAt: 0 });
    this.#rotationTimer ??= this.#options.clock.setInterval(() => this.#checkLogs(), this.#options.logRotationIntervalMs);
  }

  /** One rotation check of every log with limits (see the class comment). */
  #checkLogs(): void {
    const now = this.#options.clock.now();
    for (const [id, entry] of this.#rotating) {
      const path = this.logPath(id);
      const ctl = join(this.dir(id), "bundle", "ctl");
      try {
        if (this.exitCode(id) !== null) {
          this.#rotating.delete(id);
          continue;
        }
        if (!existsSync(path) && existsSync(`${path}.1`)) {
          // A reopen is pending. Asking again is risky (a late second reopen would replace the new
          // log with an empty one), so only when conmon has not reacted for a long time.
          if (now - entry.reopenAskedAt > 10_000) {
            requestLogReopen(ctl);
            entry.reopenAskedAt = now;
          }
          continue;
        }
        if (rotateLog({ path, limits: entry.limits, reopen: () => requestLogReopen(ctl) })) entry.reopenAskedAt = now;
      } catch {
        // The container is being removed, or a file vanished under us: try again next time.
      }
    }
    if (this.#rotating.size === 0) this.close();
  }

  /** Stops the runtime's background work (log rotation); containers keep running. */
  close(): void {
    this.#rotationTimer?.cancel();
    this.#rotationTimer = null;
  }
}
