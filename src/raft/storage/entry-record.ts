import type { EntryKind } from "../raft-types.ts";
import { FLAG_SEALED, frameRecord, unframeRecord } from "./record-frame.ts";

const KIND_CODES: readonly EntryKind[] = ["normal", "config", "noop"];
const HEAD_BYTES = 17;
const TWO_32 = 2 ** 32;

/** A stored log entry: its data may still be sealed. */
export interface EntryRecord {
  index: number;
  term: number;
  kind: EntryKind;
  sealed: boolean;
  data: Uint8Array;
}

/** Encodes an entry as stored: a framed record of kind (1 byte), index and term (8 bytes each, big-endian), then the data. */
export function encodeEntryRecord(record: EntryRecord): Uint8Array {
  const head = new Uint8Array(HEAD_BYTES);
  const view = new DataView(head.buffer);
  view.setUint8(0, KIND_CODES.indexOf(record.kind));
  writeUint64(view, 1, record.index);
  writeUint64(view, 9, record.term);
  return frameRecord(record.sealed ? FLAG_SEALED : 0, [head, record.data]);
}

/** Decodes a stored entry (copying its data), or says what is wrong with it. */
export function decodeEntryRecord(bytes: Uint8Array): EntryRecord | string {
  const framed = unframeRecord(bytes);
  if (typeof framed === "string") return framed;
  const { payload, flags } = framed;
  if (payload.byteLength < HEAD_BYTES) return "the entry record is too short";
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const kind = KIND_CODES[view.getUint8(0)];
  if (!kind) return `unknown entry kind ${view.getUint8(0)}`;
  return {
    kind,
    index: readUint64(view, 1),
    term: readUint64(view, 9),
    sealed: (flags & FLAG_SEALED) !== 0,
    data: new Uint8Array(payload.subarray(HEAD_BYTES)),
  };
}

function writeUint64(view: DataView, offset: number, value: number): void {
  view.setUint32(offset, Math.floor(value / TWO_32));
  view.setUint32(offset + 4, value >>> 0);
}

function readUint64(view: DataView, offset: number): number {
  return view.getUint32(offset) * TWO_32 + view.getUint32(offset + 4);
}
