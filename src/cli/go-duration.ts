/** Nanoseconds per unit of Go's `time.ParseDuration`. */
const UNITS: Record<string, number> = { ns: 1, us: 1e3, "µs": 1e3, "μs": 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/**
 * Parses a Go duration (`300ms`, `1.5h`, `2h45m`, `-10s`, `0`) into nanoseconds, as the docker
 * CLI's duration flags do; returns undefined when `text` is not one.
 */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([-+]?)(.*)$/.exec(text)!;
  const sign = match[1] === "-" ? -1 : 1;
  const rest = match[2]!;
  if (rest === "0") return 0;
  if (rest === "") return undefined;
  let total = 0;
  const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let offset = 0;
  while (offset < rest.length) {
    part.lastIndex = offset;
    const found = part.exec(rest);
    if (!found) return undefined;
    total += Number(found[1]) * UNITS[found[2]!]!;
    offset = part.lastIndex;
  }
  return sign * Math.round(total);
}

/** Formats nanoseconds as Go prints a `time.Duration` (`1m30s`, `500ms`, `0s`). */
export function formatGoDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return "0s";
  const sign = nanoseconds < 0 ? "-" : "";
  let rest = Math.abs(nanoseconds);
  if (rest < 1e3) return `${sign}${rest}ns`;
  if (rest < 1e6) return `${sign}${rest / 1e3}µs`;
  if (rest < 1e9) return `${sign}${rest / 1e6}ms`;
  const hours = Math.floor(rest / 3600e9);
  rest -= hours * 3600e9;
  const minutes = Math.floor(rest / 60e9);
  rest -= minutes * 60e9;
  const seconds = `${Number((rest / 1e9).toFixed(9))}s`;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}`;
  return `${sign}${seconds}`;
}
