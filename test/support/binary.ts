import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { runOk } from "./run.ts";

/** The repository root. */
export const REPO_ROOT = resolve(import.meta.dir, "../..");

/** Where `make build` puts the one shoal executable. */
export const SHOAL_BINARY = join(REPO_ROOT, "dist/shoal");

function newestSourceTime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry.endsWith(".test.ts")) continue;
    newest = Math.max(newest, newestSourceTime(join(path, entry)));
  }
  return newest;
}

let built: Promise<string> | undefined;

/**
 * The path of dist/shoal, built first when it is missing or older than the sources, so that
 * tests always drive the binary a user would get (SHOAL_BINARY in the environment overrides).
 */
export function shoalBinary(): Promise<string> {
  if (process.env.SHOAL_BINARY) return Promise.resolve(process.env.SHOAL_BINARY);
  built ??= (async () => {
    const sources = ["src", "native", "package.json", "scripts/build.ts", "scripts/embed-native-addons.ts"];
    const newest = Math.max(...sources.map((path) => newestSourceTime(join(REPO_ROOT, path))));
    let binaryTime = 0;
    try {
      binaryTime = statSync(SHOAL_BINARY).mtimeMs;
    } catch {
      // not built yet
    }
    if (binaryTime < newest) await runOk([process.execPath, join(REPO_ROOT, "scripts/build.ts")], { cwd: REPO_ROOT, timeoutMs: 300_000 });
    return SHOAL_BINARY;
  })();
  return built;
}
