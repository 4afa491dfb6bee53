/** Small statistics for the benchmark scripts. */

/** The value at quantile `q` (0–1) of `values`. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** The median of `values`. */
export const median = (values: number[]) => quantile(values, 0.5);

/** Wall time of running `argv` to completion, in milliseconds. */
export function timeCommand(argv: string[], env?: Record<string, string | undefined>): number {
  const started = performance.now();
  const result = Bun.spawnSync(argv, { stdout: "ignore", stderr: "ignore", env: { ...process.env, ...env } });
  const elapsed = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${result.exitCode}`);
  return elapsed;
}

/** Resident set size of process `pid` in MiB. */
export function rssMiB(pid: number): number {
  const status = require("node:fs").readFileSync(`/proc/${pid}/status`, "utf8") as string;
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/** Prints one figure line: name, value with unit, goal, and a peer's figure where there is one. */
export function report(name: string, value: string, extra = ""): void {
  console.log(`${name.padEnd(44)} ${value.padStart(12)}   ${extra}`);
}
