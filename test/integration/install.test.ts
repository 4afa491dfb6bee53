/** scripts/install.sh puts the binary and a systemd unit (Type=notify) in place. */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, shoalBinary } from "../support/binary.ts";
import { run } from "../support/run.ts";

const dir = mkdtempSync("/tmp/shoal-install-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("installs the binary and a unit that starts it as a notify service", async () => {
  const unitDir = join(dir, "units");
  mkdirSync(unitDir);
  const result = await run(["bash", join(REPO_ROOT, "scripts/install.sh"), await shoalBinary()], {
    env: { PREFIX: join(dir, "usr"), SYSTEMD_UNIT_DIR: unitDir },
    timeoutMs: 300_000,
  });
  expect(result.exitCode).toBe(0);
  const installed = join(dir, "usr/bin/shoal");
  expect(statSync(installed).mode & 0o777).toBe(0o755);
  expect((await run([installed, "--version"])).stdout).toStartWith("shoal version ");
  const unit = readFileSync(join(unitDir, "shoal.service"), "utf8");
  expect(unit).toContain("Type=notify\n");
  expect(unit).toContain(`ExecStart=${installed} daemon\n`);
}, 300_000);
