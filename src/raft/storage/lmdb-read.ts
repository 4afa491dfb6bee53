import { ShoalError } from "../../lib/index.ts";
import type { PersistedState, StorageCipher } from "../raft-storage.ts";
import { EMPTY_HARD_STATE, type HardState, type LogEntry, type Snapshot } from "../raft-types.ts";
import { decodeEntryRecord } from "./entry-record.ts";
import { HARD_STATE_KEY, SNAPSHOT_KEY, storageError, type RaftDatabases } from "./lmdb-layout.ts";
import { LogShape } from "./log-shape.ts";
import { decodeHardState, decodeSnapshotRecord } from "./meta-records.ts";
import { unframeRecord } from "./record-frame.ts";
import { corruptStateError } from "./storage-errors.ts";

/** Thrown inside the reader for a damaged store; turned into the refusal to start at the end. */
class Corrupt extends Error {}

/**
 * Reads a member's whole raft state back, checking every record's checksum and the state's
 * consistency; refuses (ShoalError failed_precondition) anything damaged, never repairing it.
 */
export function readRaftState(dbs: RaftDatabases, path: string, cipher?: StorageCipher): PersistedState {
  let state: PersistedState;
  try {
    state = { hardState: readHardState(dbs), snapshot: readSnapshot(dbs, path, cipher), entries: readEntries(dbs, path, cipher) };
  } catch (error) {
    if (error instanceof Corrupt) throw corruptStateError(path, error.message);
    throw storageError(path, "read", error);
  }
  const problem = LogShape.problemIn(state);
  if (problem) throw corruptStateError(path, problem);
  return state;
}

function readHardState(dbs: RaftDatabases): HardState {
  const bytes = dbs.state.getBinary(HARD_STATE_KEY);
  if (bytes === undefined) return { ...EMPTY_HARD_STATE };
  const hardState = decodeHardState(bytes);
  if (typeof hardState === "string") throw new Corrupt(`hard state: ${hardState}`);
  return hardState;
}

function readSnapshot(dbs: RaftDatabases, path: string, cipher?: StorageCipher): Snapshot | null {
  const bytes = dbs.state.getBinary(SNAPSHOT_KEY);
  if (bytes === undefined) {
    if (dbs.chunks.getKeysCount() > 0) throw new Corrupt("snapshot data is stored without a snapshot record");
    return null;
  }
  const record = decodeSnapshotRecord(bytes);
  if (typeof record === "string") throw new Corrupt(`snapshot record: ${record}`);
  const data = new Uint8Array(record.size);
  let expected = 0;
  let offset = 0;
  for (const { key, value } of dbs.chunks.getRange({})) {
    if (key !== expected) throw new Corrupt(`snapshot chunk ${expected} is missing (found ${String(key)})`);
    const chunk = unframeRecord(value);
    if (typeof chunk === "string") throw new Corrupt(`snapshot chunk ${key}: ${chunk}`);
    if (offset + chunk.payload.byteLength > record.size) throw new Corrupt(`snapshot chunks hold more than the recorded ${record.size} bytes`);
    data.set(chunk.payload, offset);
    offset += chunk.payload.byteLength;
    expected++;
  }
  if (expected !== record.chunks || offset !== record.size) {
    throw new Corrupt(`snapshot has ${expected} chunks of ${offset} bytes, the record says ${record.chunks} of ${record.size}`);
  }
  return { meta: record.meta, data: record.sealed ? unseal(data, path, "the snapshot", cipher) : data };
}

function readEntries(dbs: RaftDatabases, path: string, cipher?: StorageCipher): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const { key, value } of dbs.entries.getRange({})) {
    const record = decodeEntryRecord(value);
    if (typeof record === "string") throw new Corrupt(`entry ${String(key)}: ${record}`);
    if (record.index !== key) throw new Corrupt(`the entry stored under index ${String(key)} says it is entry ${record.index}`);
    const data = record.sealed ? unseal(record.data, path, `entry ${key}`, cipher) : record.data;
    entries.push({ index: record.index, term: record.term, kind: record.kind, data });
  }
  return entries;
}

function unseal(sealed: Uint8Array, path: string, what: string, cipher?: StorageCipher): Uint8Array {
  if (!cipher) {
    throw new ShoalError("failed_precondition", `raft state in ${path} is encrypted and no key was given to read ${what}`);
  }
  try {
    return cipher.open(sealed);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ShoalError("failed_precondition", `cannot decrypt ${what} of the raft state in ${path}: ${message}; is it the right key?`, { cause: error });
  }
}
