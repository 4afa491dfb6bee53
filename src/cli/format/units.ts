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

/** A duration in words, as docker prints them (`5 seconds`, `3 months`). */
export function humanDuration(nanoseconds: number): string {
  const seconds = Math.floor(nanoseconds / 1e9);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(nanoseconds / 3.6e12 + 0.5);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(nanoseconds / 3.6e12 / 24 / 365)} years`;
}

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
