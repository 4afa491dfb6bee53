import { ShoalError } from "../lib/index.ts";
import type { LogLine } from "../engine/index.ts";

/** Which docker stream a frame carries (the first byte of the multiplexed header). */
/** `systemerr` carries an error the daemon hit mid-stream (the docker CLI prints "error from daemon in stream: …"). */
export const STREAM_ID = { stdin: 0, stdout: 1, stderr: 2, systemerr: 3 } as const;

/** One frame of docker's multiplexed stream: 8-byte header (stream, 0, 0, 0, big-endian length) + payload. */
export function multiplexFrame(stream: keyof typeof STREAM_ID, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(8 + payload.byteLength);
  frame[0] = STREAM_ID[stream];
  new DataView(frame.buffer).setUint32(4, payload.byteLength);
  frame.set(payload, 8);
  return frame;
}

/** conmon's `2026-11-25T14:35:36.544720804+00:00` → docker's RFC 3339 with nanoseconds in UTC. */
export function dockerTimestamp(time: string): string {
  return time.replace(/([+-]00:00|Z)$/, "Z");
}

/** Nanoseconds since the epoch of a log line's time (for --since/--until). */
export function logTimeNanos(time: string): bigint {
  const match = /^(.+?T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!match) return 0n;
  const seconds = BigInt(Math.floor(Date.parse(`${match[1]}${match[3]}`) / 1000));
  const fraction = BigInt((match[2] ?? "0").padEnd(9, "0").slice(0, 9));
  return seconds * 1_000_000_000n + fraction;
}

/** Docker's `since`/`until` query value (`1700000000`, `1700000000.5`, or an RFC 3339 time) in nanoseconds; 0n when absent. */
export function parseTimeQuery(value: string | undefined): bigint {
  if (!value || value === "0") return 0n;
  const unix = /^(\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (unix) return BigInt(unix[1]!) * 1_000_000_000n + BigInt((unix[2] ?? "0").padEnd(9, "0"));
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw new Error(`invalid time ${JSON.stringify(value)}: use seconds since the epoch or RFC 3339`);
  return BigInt(parsed) * 1_000_000n;
}

/** `since` and `until` query values in nanoseconds (0n: not given), refused clearly when malformed. */
export function parseTimeRange(since: string | undefined, until: string | undefined): { since: bigint; until: bigint } {
  try {
    return { since: parseTimeQuery(since), until: parseTimeQuery(until) };
  } catch (error) {
    throw new ShoalError("invalid_argument", (error as Error).message);
  }
}

const encoder = new TextEncoder();

/** The bytes of one log line as docker sends them (with its timestamp when asked; a full line ends in a newline). */
export function logLineBytes(line: LogLine, timestamps: boolean): Uint8Array {
  const prefix = timestamps ? `${dockerTimestamp(line.time)} ` : "";
  return encoder.encode(`${prefix}${line.text}${line.complete ? "\n" : ""}`);
}
