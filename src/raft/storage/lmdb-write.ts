import type { RangeOptions } from "lmdb";
import type { PersistBatch, StorageCipher } from "../raft-storage.ts";
import { encodeEntryRecord } from "./entry-record.ts";
import { HARD_STATE_KEY, SNAPSHOT_CHUNK_BYTES, SNAPSHOT_KEY, type RaftDatabases } from "./lmdb-layout.ts";
import { encodeHardState, encodeSnapshotRecord } from "./meta-records.ts";
import { frameRecord } from "./record-frame.ts";

/** A snapshot ready to store: its record, its framed chunks, and whether the entries after it stay. */
interface PreparedSnapshot {
  index: number;
  keepTail: boolean;
  record: Uint8Array;
  chunks: Uint8Array[];
}

/**
 * A write whose records are already encoded, sealed and checksummed, so that the transaction only
 * deletes and puts bytes (nothing in it can fail half-way for a reason of ours).
 */
export type PreparedWrite =
  | { snapshot?: PreparedSnapshot; entries: [index: number, record: Uint8Array][]; hardState?: Uint8Array }
  | { compactTo: number };

/** Encodes a checked batch; `keepTail` says whether its snapshot keeps the entries after its index. */
export function prepareBatch(batch: PersistBatch, keepTail: boolean, cipher?: StorageCipher): PreparedWrite {
  const prepared: PreparedWrite = { entries: [] };
  if (batch.snapshot) {
    const { meta, data } = batch.snapshot;
    const stored = cipher ? cipher.seal(data) : data;
    const chunks: Uint8Array[] = [];
    for (let offset = 0; offset < stored.byteLength; offset += SNAPSHOT_CHUNK_BYTES) {
      chunks.push(frameRecord(0, [stored.subarray(offset, offset + SNAPSHOT_CHUNK_BYTES)]));
    }
    const record = encodeSnapshotRecord({ meta, size: stored.byteLength, chunks: chunks.length, sealed: cipher !== undefined });
    prepared.snapshot = { index: meta.index, keepTail, record, chunks };
  }
  for (const entry of batch.entries ?? []) {
    const data = cipher ? cipher.seal(entry.data) : entry.data;
    prepared.entries.push([entry.index, encodeEntryRecord({ ...entry, data, sealed: cipher !== undefined })]);
  }
  if (batch.hardState) prepared.hardState = encodeHardState(batch.hardState);
  return prepared;
}

/** Applies prepared writes in order; call inside one write transaction. */
export function applyWrites(dbs: RaftDatabases, writes: readonly PreparedWrite[]): void {
  for (const write of writes) {
    if ("compactTo" in write) {
      removeKeys(dbs.entries, { end: write.compactTo + 1 });
      continue;
    }
    const { snapshot, entries, hardState } = write;
    if (snapshot) {
      removeKeys(dbs.entries, snapshot.keepTail ? { end: snapshot.index + 1 } : {});
      removeKeys(dbs.chunks, {});
      snapshot.chunks.forEach((chunk, i) => dbs.chunks.putSync(i, chunk));
      dbs.state.putSync(SNAPSHOT_KEY, snapshot.record);
    }
    if (entries.length > 0) {
      removeKeys(dbs.entries, { start: entries[0]![0] });
      for (const [index, record] of entries) dbs.entries.putSync(index, record);
    }
    if (hardState) dbs.state.putSync(HARD_STATE_KEY, hardState);
  }
}

function removeKeys(db: RaftDatabases["entries"], range: RangeOptions): void {
  for (const key of Array.from(db.getKeys(range))) db.removeSync(key);
}
