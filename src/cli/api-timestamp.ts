import { CliError } from "./cli-error.ts";
import { parseGoDuration } from "./go-duration.ts";

/**
 * Turns a `--since`/`--until` value into the Engine API's `seconds[.nanoseconds]` form, as docker's
 * GetTimestamp does: a Go duration counts back from `now` (`10m` → ten minutes ago), an RFC 3339
 * time or date (`2026-01-02T15:04:05Z`, `2026-01-02`, local when it names no zone) is converted,
 * and a Unix timestamp passes through.
 */
export function apiTimestamp(value: string, now: Date = new Date()): string {
  const duration = parseGoDuration(value);
  if (value !== "0" && duration !== undefined) return String(Math.floor((now.getTime() - duration / 1e6) / 1000));
  if (/^\d+(\.\d{1,9})?$/.test(value)) return value;
  if (!value.includes("-")) throw new CliError(`failed to parse value as time or duration: ${JSON.stringify(value)}`);
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2}))?(?::(\d{2}))?(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (!match) throw new CliError(`parsing time ${JSON.stringify(value)}: cannot parse as RFC 3339`);
  const [, year, month, day, hour = "00", minute = "00", second = "00", fraction = "", zone] = match;
  const local = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  const zoneSuffix = !zone ? "" : zone.toUpperCase() === "Z" ? "Z" : zone;
  const millis = Date.parse(local + zoneSuffix);
  if (Number.isNaN(millis)) throw new CliError(`parsing time ${JSON.stringify(value)}: out of range`);
  const nanos = fraction.padEnd(9, "0");
  return `${Math.floor(millis / 1000)}.${nanos}`;
}
