import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "shoal-x509-bundle-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("pki works from a lazily imported chunk of a bundle, where Bun's bundler reorders side-effect imports", async () => {
  // The daemon is reached through `await import(...)`; with `import "reflect-metadata"` as a plain side-effect import,
  // tsyringe threw "requires a reflect polyfill" in such a chunk (research/toolchain.md §7). This is that shape.
  writeFileSync(join(dir, "entry.ts"), 'const { run } = await import("./lazy.ts");\nawait run();\n');
  writeFileSync(
    join(dir, "lazy.ts"),
    `import { createRootCA, parseNodeCertificate } from ${JSON.stringify(join(import.meta.dir, "index.ts"))};
export async function run() {
  const root = await createRootCA({ clock: { now: () => Date.UTC(2026, 0, 1), setTimeout: () => ({ cancel() {} }), setInterval: () => ({ cancel() {} }) } });
  try { parseNodeCertificate(root.certificatePem); } catch (error) { console.log(root.certificatePem.split("\\n")[0], (error as Error).message); }
}
`,
  );
  const build = await Bun.build({ entrypoints: [join(dir, "entry.ts")], outdir: join(dir, "out"), target: "bun", format: "esm", minify: true });
  expect(build.success).toBe(true);
  const run = Bun.spawnSync([process.execPath, join(dir, "out", "entry.js")], { stdout: "pipe", stderr: "pipe" });
  expect(run.stderr.toString()).toBe("");
  expect(run.stdout.toString()).toBe('-----BEGIN CERTIFICATE----- certificate "CN=swarm-ca" is not a swarm node certificate: it needs exactly one OU\n');
  expect(run.exitCode).toBe(0);
});
