import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { checkLayers, layerOf } from "./check-layers.ts";

const fake = mkdtempSync(join(tmpdir(), "shoal-layers-"));
afterAll(() => rmSync(fake, { recursive: true, force: true }));

function write(path: string, text: string) {
  mkdirSync(dirname(join(fake, path)), { recursive: true });
  writeFileSync(join(fake, path), text);
}

test("the shoal tree has no layering violations", () => {
  expect(checkLayers(resolve(import.meta.dir, ".."))).toEqual([]);
});

test("finds upward, sideways, deep and own-index imports, and lets type imports pass", () => {
  write("src/lib/index.ts", 'export * from "./a.ts";');
  write("src/lib/a.ts", 'import { x } from "../api/index.ts"; export const a = x;');
  write("src/lib/b.ts", 'import { a } from "./index.ts"; import type { T } from "../api/index.ts"; export const b = a;');
  write("src/api/index.ts", 'export const x = 1; export type T = number;');
  write("src/api/c.ts", 'import { a } from "../lib/a.ts"; import { n } from "../cli/index.ts"; export const c = [a, n];');
  write("src/cli/index.ts", 'export const n = 2;');
  write("src/node/d.ts", 'import { n } from "../cli/index.ts"; export const d = n;');
  write("src/weird/e.ts", "export const e = 3;");
  const problems = checkLayers(fake).join("\n");
  expect(problems).toContain("src/lib/a.ts: runtime import of src/api/index.ts goes up or sideways");
  expect(problems).toContain("src/lib/b.ts: imports its own folder's index");
  expect(problems).not.toContain("src/lib/b.ts: runtime import");
  expect(problems).toContain("src/api/c.ts: imports src/lib/a.ts; import src/lib/index.ts");
  expect(problems).toContain("src/api/c.ts: runtime import of src/cli/index.ts goes up or sideways");
  expect(problems).toContain("src/node/d.ts: runtime import of src/cli/index.ts goes up or sideways (src/node → src/cli)");
  expect(problems).toContain("src/weird/e.ts: not in any layer");
});

test("layerOf places files in their folder's layer", () => {
  expect(layerOf("src/api/routes/system.ts")).toBe("src/api");
  expect(layerOf("native/libc.ts")).toBe("native");
  expect(layerOf("src/main.ts")).toBe("src/main.ts");
  expect(layerOf("test/support/hosts.ts")).toBeNull();
});
