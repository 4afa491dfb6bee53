import type { SnapshotChunkMessage, SnapshotMessage } from "./raft-message.ts";
import type { MemberId } from "./raft-types.ts";

/** Size of each snapshot chunk unless told otherwise: well under the transport's message limit. */
export const DEFAULT_SNAPSHOT_CHUNK_BYTES = 1024 * 1024;

/** Cuts a snapshot message into chunks of at most `chunkBytes` (one chunk for a small snapshot). */
export function splitSnapshot(message: SnapshotMessage, chunkBytes: number): SnapshotChunkMessage[] {
  const { data, meta } = message.snapshot;
  const chunks: SnapshotChunkMessage[] = [];
  for (let offset = 0; offset === 0 || offset < data.length; offset += chunkBytes) {
    chunks.push({ type: "snapshotChunk", from: message.from, to: message.to, term: message.term, meta, offset, total: data.length, data: data.subarray(offset, offset + chunkBytes) });
  }
  return chunks;
}

interface Assembly {
  key: string;
  buffer: Uint8Array;
  /** Offsets received so far. */
  offsets: Set<number>;
  bytes: number;
  first: SnapshotChunkMessage;
}

/**
 * Reassembles snapshot chunks, whatever order they arrive in and however often: one assembly per
 * sender (a newer snapshot from it replaces an older one still incomplete). A lost chunk leaves the
 * assembly incomplete until the leader sends the snapshot again.
 */
export class SnapshotAssembler {
  readonly #maxBytes: number;
  readonly #bySender = new Map<MemberId, Assembly>();

  constructor(maxBytes = 4 * 1024 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  /** Adds a chunk; returns the whole snapshot message once every byte has arrived. */
  add(chunk: SnapshotChunkMessage): SnapshotMessage | null {
    if (chunk.total > this.#maxBytes || chunk.offset < 0 || chunk.offset + chunk.data.length > chunk.total) return null;
    const key = `${chunk.term}:${chunk.meta.index}:${chunk.meta.term}:${chunk.total}`;
    let assembly = this.#bySender.get(chunk.from);
    if (!assembly || assembly.key !== key) {
      if (assembly && isOlder(key, assembly.key)) return null; // a straggler from a snapshot already replaced
      assembly = { key, buffer: new Uint8Array(chunk.total), offsets: new Set(), bytes: 0, first: chunk };
      this.#bySender.set(chunk.from, assembly);
    }
    if (!assembly.offsets.has(chunk.offset)) {
      assembly.offsets.add(chunk.offset);
      assembly.buffer.set(chunk.data, chunk.offset);
      assembly.bytes += chunk.data.length;
    }
    if (assembly.bytes < chunk.total) return null;
    this.#bySender.delete(chunk.from);
    const { first } = assembly;
    return { type: "snapshot", from: first.from, to: first.to, term: first.term, snapshot: { meta: first.meta, data: assembly.buffer } };
  }

  /** Bytes held in incomplete assemblies. */
  get bufferedBytes(): number {
    let total = 0;
    for (const assembly of this.#bySender.values()) total += assembly.buffer.length;
    return total;
  }
}

function isOlder(key: string, than: string): boolean {
  const [term = 0, index = 0] = key.split(":").map(Number);
  const [otherTerm = 0, otherIndex = 0] = than.split(":").map(Number);
  return term < otherTerm || (term === otherTerm && index < otherIndex);
}
