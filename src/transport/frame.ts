import { ShoalError } from "../lib/index.ts";

/**
 * The mux wire format: a 10-byte header, then the payload.
 *
 *   0       1       2 ........ 5   6 ......... 9   10 ...
 *   type    flags   stream id      payload length   payload
 *
 * Integers are big-endian. Stream 0 is the connection itself (SETTINGS, PING, GOAWAY, and WINDOW
 * for the connection-level window).
 */
export const FRAME_HEADER_BYTES = 10;

/** Frame types. */
export const FrameType = {
  /** Bytes of a stream; flag END_STREAM closes the sender's side. */
  DATA: 0,
  /** Opens a stream; the payload is its header (the RPC method). */
  OPEN: 1,
  /** Aborts a stream; the payload is an encoded error. */
  RESET: 2,
  /** Grants the peer more send window (4-byte increment) on a stream or, on stream 0, the connection. */
  WINDOW: 3,
  /** Liveness probe with 8 opaque bytes; answered with flag ACK and the same bytes. */
  PING: 4,
  /** No new streams: the payload is the last peer stream processed and an encoded error. */
  GOAWAY: 5,
  /** The sender's receive limits. */
  SETTINGS: 6,
} as const;

/** One of {@link FrameType}. */
export type FrameTypeValue = (typeof FrameType)[keyof typeof FrameType];

/** Frame flags. */
export const FrameFlag = { END_STREAM: 1, ACK: 2 } as const;

/** A decoded frame. The payload may be a view into the received bytes. */
export interface Frame {
  type: FrameTypeValue;
  flags: number;
  streamId: number;
  payload: Uint8Array;
}

/** Largest stream ID (31 bits, as HTTP/2). */
export const MAX_STREAM_ID = 0x7fffffff;

/** Writes one frame (header and payload) into a new buffer. */
export function encodeFrame(type: FrameTypeValue, flags: number, streamId: number, payload: Uint8Array = EMPTY): Buffer {
  const buffer = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  buffer[0] = type;
  buffer[1] = flags;
  buffer.writeUInt32BE(streamId, 2);
  buffer.writeUInt32BE(payload.length, 6);
  buffer.set(payload, FRAME_HEADER_BYTES);
  return buffer;
}

const EMPTY = new Uint8Array(0);
const KNOWN_TYPES = new Set<number>(Object.values(FrameType));

/** A peer broke the protocol: the connection must close. */
export function protocolError(message: string): ShoalError {
  return new ShoalError("unavailable", `protocol error: ${message}`);
}

/**
 * Cuts a byte stream into frames. Refuses (throws a protocol error) an unknown type, a stream ID
 * out of range or a payload above `maxPayload`, before buffering any of that payload.
 */
export class FrameDecoder {
  readonly #maxPayload: number;
  #pending: Buffer = Buffer.alloc(0);
  /** A frame whose payload is arriving in pieces: its header and a buffer being filled. */
  #partial: { type: FrameTypeValue; flags: number; streamId: number; payload: Buffer; filled: number } | null = null;

  constructor(maxPayload: number) {
    this.#maxPayload = maxPayload;
  }

  /** Bytes held waiting for the rest of a frame (bounded by the header plus the largest payload). */
  get bufferedBytes(): number {
    return this.#pending.length + (this.#partial?.filled ?? 0);
  }

  /** Feeds received bytes; returns the frames they complete. */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let input = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#partial) {
      const partial = this.#partial;
      const take = Math.min(partial.payload.length - partial.filled, input.length);
      input.copy(partial.payload, partial.filled, 0, take);
      partial.filled += take;
      input = input.subarray(take);
      if (partial.filled < partial.payload.length) return frames;
      frames.push({ type: partial.type, flags: partial.flags, streamId: partial.streamId, payload: partial.payload });
      this.#partial = null;
    }
    let buffer = this.#pending.length > 0 ? Buffer.concat([this.#pending, input]) : input;
    let offset = 0;
    while (buffer.length - offset >= FRAME_HEADER_BYTES) {
      const type = buffer[offset]!;
      const flags = buffer[offset + 1]!;
      const streamId = buffer.readUInt32BE(offset + 2);
      const length = buffer.readUInt32BE(offset + 6);
      if (!KNOWN_TYPES.has(type)) throw protocolError(`unknown frame type ${type}`);
      if (streamId > MAX_STREAM_ID) throw protocolError(`stream id ${streamId} out of range`);
      if (length > this.#maxPayload) throw protocolError(`frame of ${length} bytes exceeds the limit of ${this.#maxPayload}`);
      const start = offset + FRAME_HEADER_BYTES;
      const available = buffer.length - start;
      if (available < length) {
        // Copy what is here into a buffer of the payload's size and fill it as the rest arrives.
        const payload = Buffer.allocUnsafe(length);
        buffer.copy(payload, 0, start);
        this.#partial = { type: type as FrameTypeValue, flags, streamId, payload, filled: available };
        offset = buffer.length;
        break;
      }
      frames.push({ type: type as FrameTypeValue, flags, streamId, payload: buffer.subarray(start, start + length) });
      offset = start + length;
    }
    this.#pending = offset < buffer.length ? Buffer.from(buffer.subarray(offset)) : Buffer.alloc(0);
    return frames;
  }
}
