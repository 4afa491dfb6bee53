/** dist/shoal is one self-contained executable: it runs with no node_modules and no Bun in reach. */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { shoalBinary } from "../support/binary.ts";
import { run } from "../support/run.ts";
import { startTestDaemon } from "../support/test-daemon.ts";

const empty = mkdtempSync("/tmp/shoal-binary-");
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** An environment with no Bun, no node_modules and no NODE_PATH: only system directories. */
const bareEnv = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: empty, TMPDIR: "/tmp" };

test("runs from an empty folder, and its daemon writes and reads LMDB through the embedded addon", async () => {
  const binary = join(empty, "shoal");
  copyFileSync(await shoalBinary(), binary);
  expect(readdirSync(empty)).toEqual(["shoal"]);

  const version = await run([binary, "--version"], { cwd: empty, env: bareEnv, inheritEnv: false });
  expect(version.exitCode).toBe(0);
  expect(version.stdout).toMatch(/^shoal version \d+\.\d+\.\d+, build \S+\n$/);

  // The daemon keeps its engine ID in LMDB: written on the first start, read back on the second.
  const dir = join(empty, "host");
  const first = await startTestDaemon({ binary, dir, env: bareEnv, inheritEnv: false });
  const firstInfo = await first.shoal(["info"], { cwd: empty, env: bareEnv, inheritEnv: false });
  expect(firstInfo.exitCode).toBe(0);
  const id = /\n ID: (\S+)\n/.exec(firstInfo.stdout)?.[1];
  expect(id).toMatch(/^[0-9a-z]{25}$/);
  expect(await first.stop()).toBe(0);
  expect(existsSync(join(dir, "data/engine/meta.mdb"))).toBe(true);

  await first.restart();
  const secondInfo = await first.shoal(["info"], { cwd: empty, env: bareEnv, inheritEnv: false });
  expect(secondInfo.stdout).toContain(`\n ID: ${id}\n`);
  expect(first.daemon.log()).not.toContain("No native build was found");
  await first.stop();
}, 120_000);
