import { ShoalError } from "../lib/index.ts";
import { FrameFlag, FrameType, encodeFrame } from "./frame.ts";

/** What a stream needs from its session (implemented by MuxSession). */
export interface StreamHost {
  /** The stream has frames to send. */
  markReady(stream: MuxStream): void;
  /** The application read `bytes` of this stream: grant them back to the peer. */
  consumed(stream: MuxStream, bytes: number): void;
  /** Queues a RESET for this stream. */
  sendReset(stream: MuxStream, error: ShoalError): void;
  /** The stream is finished both ways (or reset): forget it. */
  retire(stream: MuxStream): void;
}

interface PendingWrite {
  data: Uint8Array;
  offset: number;
  resolve(): void;
  reject(error: ShoalError): void;
}

/** One bidirectional stream of a mux session: ordered bytes each way, closed or reset. */
export class MuxStream {
  /** Stream ID (odd when the client side opened it). */
  readonly id: number;
  /** What the opener sent in OPEN (for RPC, the call header). */
  readonly header: Uint8Array;
  readonly #host: StreamHost;
  readonly #abort = new AbortController();

  #chunks: Uint8Array[] = [];
  #bufferedBytes = 0;
  #remoteEnded = false;
  #readWaiter: { resolve(chunk: Uint8Array | null): void; reject(error: ShoalError): void } | null = null;

  #writes: PendingWrite[] = [];
  #endQueued = false;
  #endSent = false;
  /** Bytes this side may still send before the peer grants more. */
  sendWindow: number;
  /** Bytes the peer may still send before this side grants more. */
  recvWindow: number;
  /** Bytes read by the application and not yet granted back. */
  unacknowledged = 0;
  /** Whether the stream sits in the session's ready queue. */
  queued = false;

  #error: ShoalError | null = null;
  #retired = false;

  constructor(host: StreamHost, id: number, header: Uint8Array, sendWindow: number, recvWindow: number) {
    this.#host = host;
    this.id = id;
    this.header = header;
    this.sendWindow = sendWindow;
    this.recvWindow = recvWindow;
  }

  /** Aborted when the stream is reset by either side or its connection closes. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Received bytes waiting for the application. */
  get bufferedBytes(): number {
    return this.#bufferedBytes;
  }

  /** The error that ended this stream, if it was reset. */
  get error(): ShoalError | null {
    return this.#error;
  }

  /** Sends bytes; resolves once they are handed to the connection (waits while the peer's window is shut). */
  write(data: Uint8Array): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#endQueued) return Promise.reject(new ShoalError("failed_precondition", "write after end of stream"));
    if (data.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#writes.push({ data, offset: 0, resolve, reject });
      this.#host.markReady(this);
    });
  }

  /** Closes this side: the peer reads the end after everything written so far. */
  end(): void {
    if (this.#error || this.#endQueued) return;
    this.#endQueued = true;
    this.#host.markReady(this);
  }

  /** Aborts the stream both ways, telling the peer why. */
  reset(error: ShoalError): void {
    if (this.#error || this.#retired) return;
    this.#fail(error);
    this.#host.sendReset(this, error);
    this.#host.retire(this);
  }

  /** The next received chunk, or null once the peer ended the stream; throws if it was reset. */
  read(): Promise<Uint8Array | null> {
    if (this.#chunks.length > 0) {
      const chunk = this.#chunks.shift()!;
      this.#bufferedBytes -= chunk.length;
      this.#host.consumed(this, chunk.length);
      return Promise.resolve(chunk);
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#remoteEnded) return Promise.resolve(null);
    if (this.#readWaiter) return Promise.reject(new ShoalError("failed_precondition", "concurrent reads of one stream"));
    return new Promise((resolve, reject) => (this.#readWaiter = { resolve, reject }));
  }

  /** Whether a frame could go out now, given the connection's window. */
  sendable(connectionWindow: number): boolean {
    if (this.#error || this.#endSent) return false;
    if (this.#writes.length > 0) return this.sendWindow > 0 && connectionWindow > 0;
    return this.#endQueued;
  }

  /** Whether the stream waits on window to send (as opposed to having nothing to send). */
  get hasPendingData(): boolean {
    return !this.#error && this.#writes.length > 0;
  }

  /** Cuts the next frame to send, within the windows and frame size; returns it and its data bytes. */
  takeFrame(maxFrameSize: number, connectionWindow: number): { frame: Buffer; dataBytes: number } | null {
    if (this.#error || this.#endSent) return null;
    const head = this.#writes[0];
    if (!head) {
      if (!this.#endQueued) return null;
      this.#endSent = true;
      this.#maybeRetire();
      return { frame: encodeFrame(FrameType.DATA, FrameFlag.END_STREAM, this.id), dataBytes: 0 };
    }
    const size = Math.min(maxFrameSize, this.sendWindow, connectionWindow, head.data.length - head.offset);
    if (size <= 0) return null;
    const payload = head.data.subarray(head.offset, head.offset + size);
    head.offset += size;
    this.sendWindow -= size;
    let flags = 0;
    if (head.offset === head.data.length) {
      this.#writes.shift();
      head.resolve();
      if (this.#writes.length === 0 && this.#endQueued) {
        flags = FrameFlag.END_STREAM;
        this.#endSent = true;
      }
    }
    const frame = encodeFrame(FrameType.DATA, flags, this.id, payload);
    if (this.#endSent) this.#maybeRetire();
    return { frame, dataBytes: size };
  }

  /** Bytes arrived from the peer. */
  receive(chunk: Uint8Array, end: boolean): void {
    if (this.#error) return;
    if (chunk.length > 0) {
      if (this.#readWaiter) {
        const waiter = this.#readWaiter;
        this.#readWaiter = null;
        this.#host.consumed(this, chunk.length);
        waiter.resolve(chunk);
      } else {
        this.#chunks.push(chunk);
        this.#bufferedBytes += chunk.length;
      }
    }
    if (end) this.receiveEnd();
  }

  /** The peer ended its side. */
  receiveEnd(): void {
    if (this.#remoteEnded) return;
    this.#remoteEnded = true;
    if (this.#readWaiter && this.#chunks.length === 0) {
      const waiter = this.#readWaiter;
      this.#readWaiter = null;
      waiter.resolve(null);
    }
    this.#maybeRetire();
  }

  /** Whether the peer has ended its side. */
  get remoteEnded(): boolean {
    return this.#remoteEnded;
  }

  /** The peer reset the stream, or its connection ended. */
  receiveReset(error: ShoalError): void {
    if (this.#error) return;
    this.#fail(error);
    this.#host.retire(this);
  }

  /** Called by the session when it forgets the stream. */
  markRetired(): void {
    this.#retired = true;
  }

  #maybeRetire(): void {
    if (this.#endSent && this.#remoteEnded) this.#host.retire(this);
  }

  #fail(error: ShoalError): void {
    this.#error = error;
    for (const write of this.#writes.splice(0)) write.reject(error);
    if (this.#readWaiter) {
      const waiter = this.#readWaiter;
      this.#readWaiter = null;
      waiter.reject(error);
    }
    this.#abort.abort(error);
  }
}
