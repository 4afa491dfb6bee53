/** One hour in milliseconds. */
export const HOUR_MS = 60 * 60 * 1000;

/** How far every certificate's notBefore is set back, so peers whose clocks lag still accept it. */
export const BACKDATE_MS = HOUR_MS;

/** X.509 stores whole seconds: the instant a certificate will actually carry for `ms`. */
export function toCertificateTime(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

/** A duration the way Go prints one (`1h0m0s`, `90m` → `1h30m0s`), as Docker's messages show them. */
export function formatGoDuration(ms: number): string {
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(Math.round(ms));
  const hours = Math.floor(rest / HOUR_MS);
  rest -= hours * HOUR_MS;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}
