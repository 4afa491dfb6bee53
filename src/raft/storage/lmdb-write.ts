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
  | {
      snapshot?: PreparedSnapshot;
      entries: [index: number, record: Uint8Array][];
      /** Whether stored entries at or after the first new one must go first (a conflicting suffix). */
      truncates: boolean;
      hardState?: Uint8Array;
    }
  | { compactTo: number };

/**
 * Encodes a checked batch; `keepTail` says whether its snapshot keeps the entries after its index,
 * `storedLast` is the last index stored before it (entries from the batch's first one on are replaced).
 */
export function prepareBatch(batch: PersistBatch, keepTail: boolean, storedLast: number, cipher?: StorageCipher): PreparedWrite {
  const first = batch.entries?.[0]?.index;
  const prepared: PreparedWrite = { entries: [], truncates: first !== undefined && first <= storedLast };
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

/**
 * Whether writes only add entries after the stored ones and set the hard state: then they need no
 * reads, and {@link queueAppends} can hand them to LMDB's write thread as they are.
 */
export function onlyAppends(writes: readonly PreparedWrite[]): boolean {
  return writes.every((write) => !("compactTo" in write) && !write.snapshot && !write.truncates);
}

/** Queues appends and hard states (see {@link onlyAppends}) as asynchronous writes; call inside `batch`, which commits them in one transaction. */
export function queueAppends(dbs: RaftDatabases, writes: readonly PreparedWrite[]): void {
  for (const write of writes) {
    if ("compactTo" in write) continue;
    for (const [index, record] of write.entries) void dbs.entries.put(index, record);
    if (write.hardState) void dbs.state.put(HARD_STATE_KEY, write.hardState);
  }
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
