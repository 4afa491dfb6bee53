import { ChunkQueue } from "./chunk-queue.ts";
import { makeRaw, onTerminalResize, terminalSize, type TerminalSize } from "./raw-terminal.ts";

/** The standard streams and terminal a command talks to; tests give a fake. */
export interface CliStreams {
  /** Writes to standard output. */
  stdout(data: Uint8Array | string): void;
  /** Writes to standard error. */
  stderr(data: Uint8Array | string): void;
  /** Standard input as chunks, ending at end of file or when `signal` aborts (reading then stops). */
  stdin(signal?: AbortSignal): AsyncIterable<Uint8Array>;
  /** Whether standard input is a terminal. */
  readonly stdinIsTerminal: boolean;
  /** Whether standard output is a terminal. */
  readonly stdoutIsTerminal: boolean;
  /** The output terminal's size, or undefined when it is not a terminal. */
  terminalSize(): TerminalSize | undefined;
  /** Puts the input terminal in raw mode; returns the function that restores it. */
  makeRaw(): () => void;
  /** Calls `listener` when the terminal is resized; returns the function that stops it. */
  onResize(listener: () => void): () => void;
}

/** The streams of this process. */
export function processStreams(): CliStreams {
  return {
    stdout: (data) => void process.stdout.write(data),
    stderr: (data) => void process.stderr.write(data),
    stdin: readProcessStdin,
    stdinIsTerminal: Boolean(process.stdin.isTTY),
    stdoutIsTerminal: Boolean(process.stdout.isTTY),
    terminalSize,
    makeRaw,
    onResize: onTerminalResize,
  };
}

/** This process's standard input as chunks; stops reading (so the process can exit) on abort. */
function readProcessStdin(signal?: AbortSignal): AsyncIterable<Uint8Array> {
  const queue = new ChunkQueue();
  const onData = (data: Buffer | string) => queue.push(typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data));
  const stop = () => {
    process.stdin.off("data", onData);
    process.stdin.off("end", stop);
    process.stdin.pause();
    queue.end();
  };
  if (signal?.aborted) {
    queue.end();
    return queue;
  }
  signal?.addEventListener("abort", stop, { once: true });
  process.stdin.on("data", onData);
  process.stdin.on("end", stop);
  process.stdin.resume();
  return queue;
}

/** A reader of our output that went away (`shoal service logs web | head`) ends the command quietly, as docker does. */
export function exitQuietlyOnBrokenPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") process.exit(0);
      throw error;
    });
  }
}
