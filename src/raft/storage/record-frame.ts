import { crc32 } from "node:zlib";

/** The layout version of every stored record; a record of another version is refused. */
export const RECORD_FORMAT = 1;

/** Flag bit: the payload is sealed with the storage cipher. */
export const FLAG_SEALED = 1;

const HEADER_BYTES = 6;

/** A record's flags and payload, as read back. */
export interface FramedRecord {
  flags: number;
  payload: Uint8Array;
}

/**
 * Frames a payload as stored: CRC-32 (big-endian) of everything after it, the format byte, the
 * flags byte, then the parts of the payload one after another. The checksum covers the bytes on
 * disk, so a sealed payload is checked before it is opened.
 */
export function frameRecord(flags: number, parts: readonly Uint8Array[]): Uint8Array {
  const size = parts.reduce((sum, part) => sum + part.byteLength, HEADER_BYTES);
  const record = new Uint8Array(size);
  record[4] = RECORD_FORMAT;
  record[5] = flags;
  let offset = HEADER_BYTES;
  for (const part of parts) {
    record.set(part, offset);
    offset += part.byteLength;
  }
  new DataView(record.buffer).setUint32(0, crc32(record.subarray(4)));
  return record;
}

/** Checks a stored record and returns its flags and a view of its payload, or what is wrong with it. */
export function unframeRecord(record: Uint8Array): FramedRecord | string {
  if (record.byteLength < HEADER_BYTES) return `a ${record.byteLength}-byte record is too short`;
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  if (view.getUint32(0) !== crc32(record.subarray(4))) return "checksum mismatch";
  if (record[4] !== RECORD_FORMAT) return `unknown record format ${record[4]}`;
  return { flags: record[5]!, payload: record.subarray(HEADER_BYTES) };
}
