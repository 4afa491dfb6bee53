import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ShoalError } from "../lib/index.ts";
import { ChunkQueue, type OutputChunk } from "./chunk-queue.ts";
import { execProcessSpec, type ExecOptions } from "./exec-process-spec.ts";

export type { ExecOptions } from "./exec-process-spec.ts";

/** A piece of an exec'd process's output; with a TTY everything is `stdout` (raw terminal bytes). */
export type ExecOutputChunk = OutputChunk;

/** Where an exec session runs: what the runtime knows of the container. */
export interface ExecTarget {
  runtime: string;
  runcRoot: string;
  containerId: string;
  /** The container's `process` from its bundle's config.json. */
  containerProcess: Record<string, unknown>;
  rootfs: string;
  /** A private directory for this session's files (process.json, pid file, runc log); removed at the end. */
  sessionDir: string;
}

/** Docker's exit codes for a command that could not be started: 127 not found, 126 not runnable. */
function startFailureCode(message: string): number {
  return /executable file not found|no such file or directory/i.test(message) ? 127 : 126;
}

/** runc's last error (`--log-format json`), or null when it logged none. */
function runcError(logFile: string): string | null {
  let message: string | null = null;
  let text = "";
  try {
    text = readFileSync(logFile, "utf8");
  } catch {
    return null;
  }
  for (const line of text.split("\n")) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string };
      if ((entry.level === "error" || entry.level === "fatal") && entry.msg) message = entry.msg;
    } catch {
      // not a JSON line: runc writes only JSON with --log-format json
    }
  }
  return message;
}

const encoder = new TextEncoder();

/** Runs a pipe operation whose failure (synchronous or later) only means the reader is gone. */
function ignoreFailure(operation: () => unknown): void {
  try {
    const result = operation();
    if (result instanceof Promise) result.catch(() => {});
  } catch {
    // the process no longer reads its stdin
  }
}

/**
 * A process started in a running container, like `docker exec`: `runc exec --process` in the
 * foreground, so runc joins the container's namespaces and cgroup, passes the exit code through
 * and (as a child of ours) is reaped by Bun.
 *
 * Without a TTY, runc's stdio are pipes: stdout and stderr arrive separately. With a TTY, runc is
 * given a pseudo-terminal made by Bun (`Bun.Terminal`, the `terminal` spawn option: Bun opens the
 * pty, makes it the controlling terminal of runc's session and reads the master in its event loop,
 * with EIO at the end reported as the close of the stream). runc puts that terminal in raw mode,
 * makes the container's own pty and copies between the two; `resize` sets our pty's size, which
 * makes the kernel send SIGWINCH to runc, and runc copies the size onto the container's pty.
 * Chosen over `runc exec -d --console-socket` (runc detaches, so its exit code is lost unless the
 * daemon becomes a child subreaper and reaps foreign pids beside Bun) and over conmon `--exec`
 * (seqpacket attach socket and ctl fifo, both needing more FFI); the cost is one extra copy
 * through runc's pty pair.
 *
 * runc's own failure (the command missing or not executable) is told apart from the process's
 * exit code by the pid file: runc writes it only once the process runs. Until then the bytes that
 * could be runc's messages (stderr, or all of the tty) are held back; when runc fails they are
 * replaced by Docker's message ("OCI runtime exec failed: …: unknown") and the exit code is 127
 * (not found) or 126 (any other start failure). Terminal input is held back the same way until the
 * process runs (see #started). Output is buffered in memory until read.
 */
export class ExecSession {
  /** The output, in order per stream; ends when the process and runc have closed it. */
  readonly output: AsyncIterable<ExecOutputChunk>;
  /** The exit code, once the process has exited and its output has been queued. */
  readonly exited: Promise<number>;
  readonly tty: boolean;
  readonly #queue = new ChunkQueue();
  readonly #child: Bun.Subprocess;
  readonly #terminal: Bun.Terminal | null;
  readonly #pidFile: string;
  readonly #logFile: string;
  readonly #stdin: boolean;
  #pid: number | undefined;
  #held: ExecOutputChunk[] = [];
  #stdinClosed = false;
  #done = false;
  /** Terminal input waits for this (see {@link #started}); in order, through one chain. */
  #input: Promise<boolean> = Promise.resolve(true);

  constructor(target: ExecTarget, options: ExecOptions) {
    this.tty = options.tty;
    this.#stdin = options.stdin;
    this.output = this.#queue;
    const spec = execProcessSpec(target.containerProcess, options, target.rootfs);
    mkdirSync(target.sessionDir, { recursive: true, mode: 0o700 });
    const processFile = join(target.sessionDir, "process.json");
    this.#pidFile = join(target.sessionDir, "pid");
    this.#logFile = join(target.sessionDir, "runc.log");
    writeFileSync(processFile, JSON.stringify(spec), { mode: 0o600 });
    const argv = [
      target.runtime, "--root", target.runcRoot, "--log", this.#logFile, "--log-format", "json",
      "exec", "--pid-file", this.#pidFile, "--process", processFile, target.containerId,
    ];
    let terminalClosed: Promise<void> = Promise.resolve();
    try {
      this.#child = this.#spawn(argv, options, (closed) => (terminalClosed = closed));
    } catch (error) {
      rmSync(target.sessionDir, { recursive: true, force: true });
      throw new ShoalError("internal", `cannot run ${target.runtime} exec: ${String(error)}`, { cause: error });
    }
    this.#terminal = this.#child.terminal ?? null;
    const pumps = this.#terminal
      ? [terminalClosed]
      : [this.#pump(this.#child.stdout as ReadableStream<Uint8Array>, "stdout"), this.#pump(this.#child.stderr as ReadableStream<Uint8Array>, "stderr")];
    this.exited = this.#finish(pumps, target.sessionDir);
    if (this.#terminal) this.#input = this.#started();
  }

  #spawn(argv: string[], options: ExecOptions, onTerminal: (closed: Promise<void>) => void): Bun.Subprocess {
    if (options.tty) {
      let closed!: () => void;
      onTerminal(new Promise((resolve) => (closed = resolve)));
      // The terminal is made by the spawn (not passed in as a Bun.Terminal object): only then does
      // Bun close its copy of the pty's slave, so the master reads EIO (`exit`) when runc is gone.
      const child = Bun.spawn(argv, {
        terminal: {
          rows: options.consoleSize?.rows ?? 24,
          cols: options.consoleSize?.cols ?? 80,
          data: (_terminal, data) => this.#emit({ stream: "stdout", data: new Uint8Array(data) }),
          exit: () => closed(),
        },
      });
      // Raw at once: runc sets raw mode only once it runs, and input written before that would
      // otherwise be echoed and line-edited by this outer terminal.
      child.terminal!.setRawMode(true);
      return child;
    }
    return Bun.spawn(argv, { stdin: options.stdin ? "pipe" : "ignore", stdout: "pipe", stderr: "pipe" });
  }

  /** The process's pid (in the host's pid namespace) once runc has started it. */
  get pid(): number | undefined {
    if (this.#pid === undefined) {
      try {
        const pid = Number(readFileSync(this.#pidFile, "utf8").trim());
        if (pid > 0) this.#pid = pid;
      } catch {
        // not written yet
      }
    }
    return this.#pid;
  }

  /**
   * Resolves true once runc has started the process (its pid file exists), false when runc ended
   * first. Terminal input waits for it: runc copies input into the container's pty as soon as it
   * has the pty's master, and a write made before the process has opened the pty's slave fails
   * with EIO, after which runc's copy (containerd/console's epoll writer) waits for an EPOLLOUT
   * edge that never comes; the input, and all that follows it, would be stuck.
   */
  async #started(): Promise<boolean> {
    while (this.pid === undefined) {
      if (this.#done) return false;
      await Bun.sleep(5);
    }
    return true;
  }

  #terminalWrite(data: Uint8Array | string): void {
    const terminal = this.#terminal!;
    this.#input = this.#input.then((started) => {
      if (started && !terminal.closed) terminal.write(data);
      return started;
    });
  }

  async #pump(stream: ReadableStream<Uint8Array>, name: "stdout" | "stderr"): Promise<void> {
    for await (const data of stream) this.#emit({ stream: name, data });
  }

  /** Passes a chunk on, or holds it while it may still be runc's own error text. */
  #emit(chunk: ExecOutputChunk): void {
    const mayBeRunc = this.tty || chunk.stream === "stderr";
    if (mayBeRunc && this.pid === undefined) {
      this.#held.push(chunk);
      return;
    }
    this.#flushHeld();
    this.#queue.push(chunk);
  }

  #flushHeld(): void {
    for (const held of this.#held) this.#queue.push(held);
    this.#held = [];
  }

  async #finish(pumps: Promise<void>[], sessionDir: string): Promise<number> {
    const runcCode = await this.#child.exited;
    this.#done = true;
    // The output closes with the process; a grandchild that keeps a pipe open must not hold the
    // session forever, so the wait for the streams is bounded.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(pumps), new Promise((resolve) => (timer = setTimeout(resolve, 2000)))]);
    clearTimeout(timer);
    let code = runcCode;
    const failure = this.pid === undefined ? runcError(this.#logFile) : null;
    if (failure !== null) {
      this.#held = [];
      const message = `OCI runtime exec failed: ${failure}: unknown${this.tty ? "\r\n" : "\n"}`;
      this.#queue.push({ stream: this.tty ? "stdout" : "stderr", data: encoder.encode(message) });
      code = startFailureCode(failure);
    } else {
      this.#flushHeld();
    }
    this.#queue.end();
    this.#terminal?.close();
    rmSync(sessionDir, { recursive: true, force: true });
    return code;
  }

  /** Writes to the process's stdin (with a TTY: the terminal's input). */
  write(data: Uint8Array | string): void {
    if (!this.#stdin) throw new ShoalError("failed_precondition", "the exec session was created without stdin attached");
    if (this.#stdinClosed) throw new ShoalError("failed_precondition", "stdin of the exec session is closed");
    if (this.#terminal) {
      this.#terminalWrite(data);
      return;
    }
    // A process that has exited or closed its stdin makes the pipe fail (EPIPE): the input is dropped.
    const sink = this.#child.stdin as Bun.FileSink;
    ignoreFailure(() => {
      sink.write(data);
      return sink.flush();
    });
  }

  /**
   * Ends the input. Without a TTY the process reads end-of-file; with one, the terminal's EOF
   * character (^D) is sent, which ends input for a program reading a line (a pty has no half-close).
   */
  closeStdin(): void {
    if (!this.#stdin || this.#stdinClosed) return;
    if (this.#terminal) {
      this.#terminalWrite("\x04");
    } else {
      const sink = this.#child.stdin as Bun.FileSink;
      ignoreFailure(() => sink.end());
    }
    this.#stdinClosed = true;
  }

  /** Changes the terminal size the process sees (tty sessions only). */
  resize(rows: number, cols: number): void {
    if (!this.#terminal) throw new ShoalError("failed_precondition", "the exec session has no TTY to resize");
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0 || rows > 0xffff || cols > 0xffff) {
      throw new ShoalError("invalid_argument", `invalid terminal size ${rows}x${cols}`);
    }
    if (!this.#terminal.closed) this.#terminal.resize(cols, rows);
  }

  /** Sends a signal to the exec'd process (not to runc, which would only forward it). */
  kill(signal: NodeJS.Signals | number = "SIGKILL"): void {
    const pid = this.pid;
    if (pid === undefined || this.#done) return;
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
