import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isId } from "../lib/index.ts";
import { openEngineMeta } from "./engine-identity.ts";

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

test("keeps the same engine ID across reopenings of the data root", async () => {
  const root = mkdtempSync(join(tmpdir(), "shoal-meta-"));
  roots.push(root);
  const first = await openEngineMeta(root);
  expect(isId(first.engineId)).toBe(true);
  await first.close();
  await first.close();
  const second = await openEngineMeta(root);
  expect(second.engineId).toBe(first.engineId);
  await second.close();
  expect(existsSync(join(root, "engine", "meta.mdb"))).toBe(true);
});
