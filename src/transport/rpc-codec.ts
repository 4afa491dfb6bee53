import { Packr } from "msgpackr";
import { ShoalError } from "../lib/index.ts";
import type { MuxStream } from "./mux-stream.ts";

const packr = new Packr({ useRecords: false });

/** Largest single RPC message (a raft snapshot chunk, a task list) accepted. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** The header a call's OPEN frame carries. */
export interface CallHeader {
  /** Method name, `Service.Method`. */
  m: string;
  /** Milliseconds the caller will wait, or 0 for no deadline. */
  t: number;
}

/** Encodes a value as one length-prefixed msgpack message. */
export function encodeMessage(value: unknown): Buffer {
  const body = packr.pack(value);
  const framed = Buffer.allocUnsafe(4 + body.length);
  framed.writeUInt32BE(body.length, 0);
  body.copy(framed, 4);
  return framed;
}

/** Encodes a call header. */
export function encodeHeader(header: CallHeader): Buffer {
  return packr.pack(header);
}

/** Decodes a call header, refusing anything that is not one. */
export function decodeHeader(bytes: Uint8Array): CallHeader {
  let value: unknown;
  try {
    value = packr.unpack(bytes);
  } catch {
    throw new ShoalError("invalid_argument", "malformed call header");
  }
  const header = value as Partial<CallHeader> | null;
  if (!header || typeof header.m !== "string" || typeof header.t !== "number" || header.t < 0) {
    throw new ShoalError("invalid_argument", "malformed call header");
  }
  return { m: header.m, t: header.t };
}

/** Reads whole messages from a stream, however its bytes were cut into frames. */
export class MessageReader {
  readonly #stream: MuxStream;
  readonly #maxBytes: number;
  /** Received bytes not yet consumed, as the chunks they arrived in (joined only once a message is whole). */
  #chunks: Buffer[] = [];
  #total = 0;

  constructor(stream: MuxStream, maxBytes = MAX_MESSAGE_BYTES) {
    this.#stream = stream;
    this.#maxBytes = maxBytes;
  }

  /** The next message, or `done` once the peer ended the stream between messages. */
  async next(): Promise<{ done: false; value: unknown } | { done: true }> {
    for (;;) {
      if (this.#total >= 4) {
        const length = this.#peekLength();
        if (length > this.#maxBytes) {
          throw new ShoalError("resource_exhausted", `message of ${length} bytes exceeds the limit of ${this.#maxBytes}`);
        }
        if (this.#total >= 4 + length) {
          const body = this.#take(4 + length).subarray(4);
          try {
            return { done: false, value: packr.unpack(body) };
          } catch {
            throw new ShoalError("invalid_argument", "malformed message");
          }
        }
      }
      const chunk = await this.#stream.read();
      if (chunk === null) {
        if (this.#total > 0) throw new ShoalError("invalid_argument", "stream ended inside a message");
        return { done: true };
      }
      this.#chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.#total += chunk.byteLength;
    }
  }

  #peekLength(): number {
    const first = this.#chunks[0]!;
    if (first.length >= 4) return first.readUInt32BE(0);
    return Buffer.concat(this.#chunks, 4).readUInt32BE(0);
  }

  /** Removes and returns the first `size` buffered bytes. */
  #take(size: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= size) {
      const taken = first.subarray(0, size);
      if (first.length === size) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(size);
      this.#total -= size;
      return taken;
    }
    const joined = Buffer.concat(this.#chunks, this.#total);
    const taken = joined.subarray(0, size);
    const rest = joined.subarray(size);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#total = rest.length;
    return taken;
  }
}
