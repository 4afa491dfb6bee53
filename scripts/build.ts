/**
 * Builds dist/shoal: one executable (bun build --compile) holding the CLI, the daemon and the
 * native addons. Usage: bun scripts/build.ts [--outfile PATH] [--no-minify]
 */
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { embedNativeAddons } from "./embed-native-addons.ts";

const root = resolve(import.meta.dir, "..");
const { values } = parseArgs({
  options: { outfile: { type: "string", default: resolve(root, "dist/shoal") }, "no-minify": { type: "boolean", default: false } },
});
const outfile = resolve(values.outfile!);
mkdirSync(dirname(outfile), { recursive: true });

function gitCommit(): string {
  const result = Bun.spawnSync(["git", "rev-parse", "--short=7", "HEAD"], { cwd: root, stderr: "ignore" });
  const commit = result.exitCode === 0 ? result.stdout.toString().trim() : "";
  if (!commit) return "unknown";
  const dirty = Bun.spawnSync(["git", "status", "--porcelain", "--untracked-files=no"], { cwd: root }).stdout.toString().trim();
  return dirty ? `${commit}-dirty` : commit;
}

const started = performance.now();
const minify = !values["no-minify"];
const result = await Bun.build({
  entrypoints: [resolve(root, "src/main.ts")],
  compile: { outfile },
  target: "bun",
  format: "esm",
  minify,
  bytecode: true,
  sourcemap: "none",
  plugins: [embedNativeAddons],
  define: {
    SHOAL_BUILD_COMMIT: JSON.stringify(gitCommit()),
    SHOAL_BUILD_TIME: JSON.stringify(new Date().toISOString().replace(/\.\d+Z$/, "Z")),
  },
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
const size = Bun.file(outfile).size;
console.log(`built ${outfile} (${(size / 1024 / 1024).toFixed(1)} MiB) in ${Math.round(performance.now() - started)} ms`);
