/**
 * Checks that runtime imports only go down the layers of STYLE.md:
 *   types → lib → native → pki / transport / raft → store → engine / network → manager / agent → api → cli / node
 * and that other folders are reached through their index.ts, never a file's own folder's index.
 * `import type` is free. Tests (*.test.ts) may import anything. Usage: bun scripts/check-layers.ts
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** The layers, lowest first; folders on one line share a rank and may not import each other. */
export const LAYERS: readonly (readonly string[])[] = [
  ["src/types"],
  ["src/lib"],
  ["native"],
  ["src/pki", "src/transport", "src/raft"],
  ["src/store"],
  ["src/engine", "src/network"],
  ["src/manager", "src/agent"],
  ["src/api"],
  ["src/cli", "src/node"],
  ["src/main.ts"],
];

const RANK = new Map<string, number>(LAYERS.flatMap((folders, rank) => folders.map((folder) => [folder, rank] as const)));

/** The layer folder a repository-relative path belongs to, or null outside the layered tree. */
export function layerOf(path: string): string | null {
  for (const folder of RANK.keys()) {
    if (path === folder || path.startsWith(folder + "/")) return folder;
  }
  return null;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (path.endsWith(".ts")) files.push(path);
  }
  return files;
}

/** Lists every layering violation under `root` (an empty list means the tree is clean). */
export function checkLayers(root: string): string[] {
  const transpiler = new Bun.Transpiler({ loader: "ts" });
  const problems: string[] = [];
  const files = ["src", "native"].flatMap((dir) => {
    try {
      return sourceFiles(join(root, dir));
    } catch {
      return [];
    }
  });
  for (const file of files) {
    const from = relative(root, file);
    if (from.endsWith(".test.ts")) continue;
    const fromLayer = layerOf(from);
    if (!fromLayer) {
      problems.push(`${from}: not in any layer; add its folder to LAYERS in scripts/check-layers.ts`);
      continue;
    }
    for (const { path: specifier } of transpiler.scanImports(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue; // packages and node: builtins
      const to = relative(root, resolve(dirname(file), specifier));
      if (to === "package.json") continue; // the build's own version, read by lib/build-info.ts
      const toLayer = layerOf(to);
      if (!toLayer) {
        problems.push(`${from}: imports ${specifier}, which is outside the layered tree`);
        continue;
      }
      if (toLayer === fromLayer) {
        if (to === `${fromLayer}/index.ts` && from !== to) {
          problems.push(`${from}: imports its own folder's index (${specifier}); import the file itself`);
        }
        continue;
      }
      if (RANK.get(toLayer)! >= RANK.get(fromLayer)!) {
        problems.push(`${from}: runtime import of ${to} goes up or sideways (${fromLayer} → ${toLayer}); use "import type" or move the code down`);
      }
      if (to !== `${toLayer}/index.ts`) {
        problems.push(`${from}: imports ${to}; import ${toLayer}/index.ts, the folder's public face`);
      }
    }
  }
  return problems;
}

if (import.meta.main) {
  const problems = checkLayers(resolve(import.meta.dir, ".."));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) {
    console.error(`check-layers: ${problems.length} problem(s)`);
    process.exit(1);
  }
  console.log("check-layers: imports go down the layers");
}
