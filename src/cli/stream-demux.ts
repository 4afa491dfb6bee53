import { CliError } from "./cli-error.ts";

/** Where demultiplexed output goes: stdout (frames of stream 0 and 1) and stderr (stream 2). */
export interface OutputSinks {
  stdout(data: Uint8Array): void;
  stderr(data: Uint8Array): void;
}

/** The size of a frame header of the Engine API's multiplexed stream. */
const HEADER_SIZE = 8;

/**
 * Splits the Engine API's multiplexed stream (`application/vnd.docker.multiplexed-stream`): each
 * frame is an 8-byte header `[stream, 0, 0, 0, size uint32 big-endian]` and `size` bytes; stream
 * 0 is stdin (written to stdout, as docker's stdcopy does), 1 stdout, 2 stderr, 3 a daemon error.
 */
export class StreamDemuxer {
  readonly #sinks: OutputSinks;
  #buffer = new Uint8Array(0);

  constructor(sinks: OutputSinks) {
    this.#sinks = sinks;
  }

  /** Feeds bytes as they arrive; complete frames go to their sink at once. */
  push(chunk: Uint8Array): void {
    let buffer = chunk;
    if (this.#buffer.length > 0) {
      buffer = new Uint8Array(this.#buffer.length + chunk.length);
      buffer.set(this.#buffer);
      buffer.set(chunk, this.#buffer.length);
    }
    let offset = 0;
    while (buffer.length - offset >= HEADER_SIZE) {
      const view = new DataView(buffer.buffer, buffer.byteOffset + offset, HEADER_SIZE);
      const stream = view.getUint8(0);
      const size = view.getUint32(4, false);
      if (buffer.length - offset - HEADER_SIZE < size) break;
      const payload = buffer.subarray(offset + HEADER_SIZE, offset + HEADER_SIZE + size);
      offset += HEADER_SIZE + size;
      if (stream === 0 || stream === 1) this.#sinks.stdout(payload);
      else if (stream === 2) this.#sinks.stderr(payload);
      else if (stream === 3) throw new CliError(`Error from daemon in stream: ${new TextDecoder().decode(payload)}`);
      else throw new CliError(`Unrecognized input header: ${stream}`);
    }
    this.#buffer = buffer.slice(offset);
  }

  /** Whether a partial frame is still buffered (the stream ended mid-frame). */
  get pending(): boolean {
    return this.#buffer.length > 0;
  }
}

/** Builds one frame of the multiplexed stream (tests and fakes use it). */
export function muxFrame(stream: 0 | 1 | 2 | 3, data: string | Uint8Array): Uint8Array {
  const payload = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const frame = new Uint8Array(HEADER_SIZE + payload.length);
  frame[0] = stream;
  new DataView(frame.buffer).setUint32(4, payload.length, false);
  frame.set(payload, HEADER_SIZE);
  return frame;
}

/**
 * Copies a container's output to the sinks: as it is for a TTY (one raw stream, all to stdout),
 * else through the demultiplexer. Resolves when the stream ends.
 */
export async function copyOutput(chunks: AsyncIterable<Uint8Array>, tty: boolean, sinks: OutputSinks): Promise<void> {
  if (tty) {
    for await (const chunk of chunks) sinks.stdout(chunk);
    return;
  }
  const demuxer = new StreamDemuxer(sinks);
  for await (const chunk of chunks) demuxer.push(chunk);
}

/** Reads a fetch body as chunks. */
export async function* bodyChunks(body: ReadableStream<Uint8Array> | null): AsyncIterable<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}
