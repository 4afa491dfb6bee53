import { Packr } from "msgpackr";
import type { HardState, SnapshotMeta } from "../raft-types.ts";
import { frameRecord, unframeRecord } from "./record-frame.ts";

const packr = new Packr({ useRecords: false, mapsAsObjects: true });

/** What is stored about the snapshot besides its chunks: the meta, and how to put the data back together. */
export interface SnapshotRecord {
  meta: SnapshotMeta;
  /** Bytes of the stored (possibly sealed) data, over all chunks. */
  size: number;
  chunks: number;
  sealed: boolean;
}

/** Encodes the hard state as a framed MessagePack record. */
export function encodeHardState(hardState: HardState): Uint8Array {
  const { term, vote, commit } = hardState;
  return frameRecord(0, [packr.pack({ term, vote, commit })]);
}

/** Decodes the hard state, or says what is wrong with it. */
export function decodeHardState(bytes: Uint8Array): HardState | string {
  const value = decodeObject(bytes);
  if (typeof value === "string") return value;
  const { term, vote, commit } = value;
  if (typeof term !== "number" || typeof commit !== "number" || (vote !== null && typeof vote !== "string")) {
    return "the hard state record is malformed";
  }
  return { term, vote, commit };
}

/** Encodes the snapshot record as a framed MessagePack record. */
export function encodeSnapshotRecord(record: SnapshotRecord): Uint8Array {
  const { meta, size, chunks, sealed } = record;
  const { voters, learners } = meta.membership;
  return frameRecord(0, [packr.pack({ index: meta.index, term: meta.term, voters, learners, size, chunks, sealed })]);
}

/** Decodes the snapshot record, or says what is wrong with it. */
export function decodeSnapshotRecord(bytes: Uint8Array): SnapshotRecord | string {
  const value = decodeObject(bytes);
  if (typeof value === "string") return value;
  const { index, term, voters, learners, size, chunks, sealed } = value;
  const numbers = [index, term, size, chunks];
  if (numbers.some((n) => typeof n !== "number") || !isIdList(voters) || !isIdList(learners) || typeof sealed !== "boolean") {
    return "the snapshot record is malformed";
  }
  const meta = { index: index as number, term: term as number, membership: { voters, learners } };
  return { meta, size: size as number, chunks: chunks as number, sealed };
}

function isIdList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((id) => typeof id === "string");
}

function decodeObject(bytes: Uint8Array): Record<string, unknown> | string {
  const framed = unframeRecord(bytes);
  if (typeof framed === "string") return framed;
  let value: unknown;
  try {
    value = packr.unpack(framed.payload);
  } catch {
    return "the record does not decode";
  }
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : "the record is not a map";
}
