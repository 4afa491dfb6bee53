const BINARY_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
const DECIMAL_UNITS = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];

function scaled(bytes: number, base: number, units: readonly string[], digits: number): string {
  let size = bytes;
  let unit = 0;
  while (size >= base && unit < units.length - 1) {
    size /= base;
    unit++;
  }
  return `${Number(size.toPrecision(digits))}${units[unit]}`;
}

/** Bytes in binary units with four significant digits, as docker prints sizes (`23.47GiB`). */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, BINARY_UNITS, 4);
}

/** Bytes in decimal units with three significant digits, as `docker images` prints sizes (`4.26MB`). */
export function humanSize(bytes: number): string {
  return scaled(bytes, 1000, DECIMAL_UNITS, 3);
}

export { humanDuration } from "../../lib/index.ts";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** An RFC 3339 time in Go's ANSIC layout (`Wed Nov 25 15:20:00 2026`), as `docker version` prints Built. */
export function ansicTime(rfc3339: string): string {
  const time = new Date(rfc3339);
  if (!rfc3339 || Number.isNaN(time.getTime())) return rfc3339;
  const pad = (value: number) => String(value).padStart(2, "0");
  const day = String(time.getUTCDate()).padStart(2, " ");
  return `${DAYS[time.getUTCDay()]} ${MONTHS[time.getUTCMonth()]} ${day} ${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}:${pad(time.getUTCSeconds())} ${time.getUTCFullYear()}`;
}
