import { ShoalError } from "../lib/index.ts";

const SIZE_UNITS: Record<string, number> = { "": 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** The runtime's log limits from docker's `--log-opt max-size=10m --log-opt max-file=3`. */
export function logLimits(options: Record<string, string>): { maxSizeBytes?: number; maxFiles?: number } | undefined {
  if (!options["max-size"] && !options["max-file"]) return undefined;
  let maxSizeBytes: number | undefined;
  if (options["max-size"]) {
    const match = /^(\d+(?:\.\d+)?)\s*([kmg]?b?)$/i.exec(options["max-size"]);
    if (!match) throw new ShoalError("invalid_argument", `invalid max-size ${JSON.stringify(options["max-size"])}: use a size such as 10m`);
    maxSizeBytes = Math.floor(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
  }
  const maxFiles = options["max-file"] ? Number(options["max-file"]) : undefined;
  if (maxFiles !== undefined && (!Number.isInteger(maxFiles) || maxFiles < 1)) throw new ShoalError("invalid_argument", `invalid value for max-file: ${options["max-file"]}: give a whole number of at least 1`);
  if (maxFiles !== undefined && maxFiles > 1 && !maxSizeBytes) throw new ShoalError("invalid_argument", "max-file can only be used with max-size");
  return { maxSizeBytes, maxFiles };
}
