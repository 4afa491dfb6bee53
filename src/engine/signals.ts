import { ShoalError } from "../lib/index.ts";

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, USR1: 10, USR2: 12, TERM: 15, CONT: 18, STOP: 19, WINCH: 28 };

/** `TERM`, `SIGTERM` or `15` → `SIGTERM`, refusing unknown signals. */
export function normalizeSignal(signal: string): string {
  const upper = signal.toUpperCase().replace(/^SIG/, "");
  if (upper in SIGNALS) return `SIG${upper}`;
  const number = Number(signal);
  const name = Object.entries(SIGNALS).find(([, value]) => value === number)?.[0];
  if (name) return `SIG${name}`;
  if (Number.isInteger(number) && number > 0 && number < 65) return String(number);
  throw new ShoalError("invalid_argument", `invalid signal: ${signal}`);
}

export function signalNumber(signal: string): number {
  const normalized = normalizeSignal(signal);
  return SIGNALS[normalized.replace(/^SIG/, "")] ?? Number(normalized);
}
