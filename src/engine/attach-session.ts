import { SeqpacketSocket } from "../../native/index.ts";
import { ShoalError } from "../lib/index.ts";
import { ChunkQueue, type OutputChunk } from "./chunk-queue.ts";

/** Polling intervals of the attach socket: right after traffic, and at most when idle (ms). */
const POLL_ACTIVE_MS = 1;
const POLL_IDLE_MS = 25;
/** Packets read per timer tick before yielding to the event loop. */
const PACKETS_PER_TICK = 64;
/** Output held for a slow client before reading pauses (conmon then waits, as docker's attach does). */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Input is sent in packets of at most this size (conmon reads up to 32 KiB per packet). */
const INPUT_PACKET_BYTES = 8192;
/** conmon's pipe number for stderr, the first byte of a packet it sends (`stdpipe_t` in utils.h; stdout is 2). */
const STDERR_PIPE = 3;

/** What an attach session connects to: conmon's attach socket and the container's terminal. */
export interface AttachTarget {
  /** `<socket-dir>/<id>/attach`: conmon's SOCK_SEQPACKET attach socket. */
  socketPath: string;
  tty: boolean;
  /** Sets the terminal's size (through conmon's ctl fifo). */
  resize(rows: number, cols: number): void;
}

/**
 * A client attached to a running container's main process through conmon's attach socket
 * (`docker attach`, `docker run -i/-t`): conmon sends every piece of output it reads (and logs) to
 * each connected client as one packet whose first byte is the pipe (2 stdout, 3 stderr), and
 * writes what a client sends into the container's stdin (its stdin pipe with `-i`, the terminal
 * with `-t`). The connection does not own the container: closing it (or the daemon going away)
 * leaves the container running under conmon.
 *
 * The socket is non-blocking and read from a timer (bun:ffi has no way into Bun's event loop for
 * a seqpacket fd): every 1 ms right after traffic, backing off to every 25 ms when idle, so an idle
 * attach costs ~40 cheap wakeups a second and output waits at most 25 ms (a keystroke's echo
 * about 1 ms, since input resets the pace). Output the client does not take is queued up to
 * 4 MiB; past that reading pauses, and conmon (and the container's output) wait, as with docker.
 */
export class AttachSession {
  /** The container's output from now on; ends when the container exits or on {@link close}. */
  readonly output: AsyncIterable<OutputChunk>;
  readonly tty: boolean;
  readonly #target: AttachTarget;
  readonly #socket: SeqpacketSocket;
  readonly #queue = new ChunkQueue();
  #input: Uint8Array[] = [];
  #stdinClosing = false;
  #stdinClosed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #delay = POLL_ACTIVE_MS;

  constructor(target: AttachTarget) {
    this.#target = target;
    this.tty = target.tty;
    this.output = this.#queue;
    try {
      this.#socket = SeqpacketSocket.connect(target.socketPath);
    } catch (error) {
      throw new ShoalError("failed_precondition", `cannot attach to the container: its monitor does not answer (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    this.#schedule(0);
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#poll(), delay);
  }

  #poll(): void {
    this.#timer = undefined;
    if (this.#socket.closed) return;
    let active = this.#flushInput();
    let packets = 0;
    while (packets < PACKETS_PER_TICK && this.#queue.bufferedBytes < MAX_BUFFERED_BYTES) {
      let packet;
      try {
        packet = this.#socket.tryReceive();
      } catch {
        packet = "eof" as const;
      }
      if (packet === "again") break;
      if (packet === "eof") {
        this.close();
        return;
      }
      packets++;
      if (packet.length > 1) this.#queue.push({ stream: packet[0] === STDERR_PIPE ? "stderr" : "stdout", data: packet.subarray(1) });
    }
    active ||= packets > 0;
    if (packets === PACKETS_PER_TICK) {
      this.#schedule(0);
      return;
    }
    this.#delay = active ? POLL_ACTIVE_MS : Math.min(this.#delay * 2, POLL_IDLE_MS);
    this.#schedule(this.#delay);
  }

  /** Sends queued input; true when some went out. */
  #flushInput(): boolean {
    let sent = false;
    while (this.#input.length > 0) {
      const packet = this.#input[0]!;
      try {
        if (!this.#socket.trySend(packet)) break;
      } catch {
        // conmon no longer takes input (the container is exiting): it is dropped.
        this.#input = [];
        break;
      }
      this.#input.shift();
      sent = true;
    }
    if (this.#input.length === 0 && this.#stdinClosing && !this.#stdinClosed) {
      this.#stdinClosed = true;
      this.#socket.shutdownWrite();
    }
    return sent;
  }

  /** Writes to the container's stdin (with a TTY: the terminal's input). */
  write(data: Uint8Array | string): void {
    if (this.#stdinClosing) throw new ShoalError("failed_precondition", "stdin of the attach session is closed");
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (let offset = 0; offset < bytes.length; offset += INPUT_PACKET_BYTES) this.#input.push(bytes.slice(offset, offset + INPUT_PACKET_BYTES));
    if (this.#socket.closed) return;
    this.#flushInput();
    this.#delay = POLL_ACTIVE_MS;
    this.#schedule(POLL_ACTIVE_MS);
  }

  /**
   * Ends this client's input (once what was written is sent). Without a TTY conmon then closes the
   * container's stdin, unless the container keeps it open for later clients (`StdinOnce` false);
   * a terminal has no end of input, so with a TTY nothing more is sent.
   */
  closeStdin(): void {
    if (this.#stdinClosing) return;
    this.#stdinClosing = true;
    if (this.tty) return;
    if (!this.#socket.closed) this.#flushInput();
  }

  /** Changes the container's terminal size (TTY containers only). */
  resize(rows: number, cols: number): void {
    if (!this.tty) throw new ShoalError("failed_precondition", "the container has no TTY to resize");
    this.#target.resize(rows, cols);
  }

  /** Detaches: the output ends, the container goes on. */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#socket.close();
    this.#queue.end();
  }
}
