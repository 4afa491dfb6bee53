const MULTIPLIERS: Record<string, number> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * Parses a size such as `512m`, `1.5g`, `1024`, `2GiB` into bytes with binary multiples, as
 * docker's RAMInBytes does for `--memory`, `--shm-size` and friends; undefined when invalid.
 */
export function parseRamBytes(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1]);
  if (Number.isNaN(value)) return undefined;
  return Math.floor(value * MULTIPLIERS[(match[2] ?? "").toLowerCase()]!);
}
