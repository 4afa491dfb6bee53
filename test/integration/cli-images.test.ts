/** The shoal CLI's image commands against a daemon: load (file and stdin), images, rmi. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImage, dockerSaveArchive } from "../support/image-archives.ts";
import { run } from "../support/run.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

let daemon: TestDaemon;
let image: Awaited<ReturnType<typeof busyboxImage>>;
let archive: string;
beforeAll(async () => {
  daemon = await startTestDaemon();
  image = await busyboxImage();
  archive = join(daemon.dir, "busybox.tar");
  writeFileSync(archive, await dockerSaveArchive(["shoal-test/busybox:1"], image.config, image.layer));
}, 120_000);
afterAll(async () => daemon?.dispose());

test("shoal load -i reads an archive file", async () => {
  const result = await daemon.shoal(["load", "-i", archive]);
  expect(result.stderr).toBe("");
  expect(result.stdout).toBe("Loaded image: shoal-test/busybox:1\n");
});

test("shoal load reads standard input", async () => {
  const result = await run(["sh", "-c", `"${daemon.binary}" -H unix://${daemon.socket} load < ${archive}`]);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toBe("Loaded image: shoal-test/busybox:1\n");
});

test("shoal images lists it like docker images", async () => {
  const result = await daemon.shoal(["images"]);
  const [header, row] = result.stdout.trimEnd().split("\n");
  expect(header).toMatch(/^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
  expect(row).toMatch(new RegExp(`^shoal-test/busybox +1 +${image.id.slice(7, 19)} +.+ ago +[\\d.]+[kMG]?B$`));
  expect((await daemon.shoal(["images", "-q"])).stdout).toBe(`${image.id.slice(7, 19)}\n`);
});

test("shoal rmi removes it; a second time says no such image", async () => {
  const result = await daemon.shoal(["rmi", "shoal-test/busybox:1"]);
  expect(result.stdout).toBe(`Untagged: shoal-test/busybox:1\nDeleted: ${image.id}\n`);
  const again = await daemon.shoal(["rmi", "shoal-test/busybox:1"]);
  expect(again.exitCode).toBe(1);
  expect(again.stderr).toBe("Error response from daemon: No such image: shoal-test/busybox:1\n");
});

test("a missing archive file is refused before anything is sent", async () => {
  const result = await daemon.shoal(["load", "-i", join(daemon.dir, "nope.tar")]);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain("no such file or directory");
});
