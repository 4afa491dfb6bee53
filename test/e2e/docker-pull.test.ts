/** `docker pull` through a shoal daemon from a registry on loopback. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { busyboxImage } from "../support/image-archives.ts";
import { pushImage, startRegistry, type Registry } from "../support/registry.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

const work = mkdtempSync("/tmp/shoal-dockerpull-");
let registry: Registry;
let daemon: TestDaemon;
let image: Awaited<ReturnType<typeof busyboxImage>>;
beforeAll(async () => {
  registry = await startRegistry(work);
  daemon = await startTestDaemon();
  image = await busyboxImage();
  await pushImage(registry.address, "test/busybox", "1", image.config, [{ bytes: gzipSync(image.layer), mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }]);
}, 120_000);
afterAll(async () => {
  await daemon?.dispose();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

test("docker pull shows progress and the image is then listed", async () => {
  const result = await daemon.docker(["pull", `${registry.address}/test/busybox:1`]);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toContain("Pull complete");
  expect(result.stdout).toContain(`Status: Downloaded newer image for ${registry.address}/test/busybox:1`);
  const images = await daemon.docker(["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}"]);
  expect(images.stdout.trim()).toBe(`${registry.address}/test/busybox:1 ${image.id.slice(7, 19)}`);
});

test("pulling an image the registry does not have fails with its reason", async () => {
  const result = await daemon.docker(["pull", `${registry.address}/test/nothing:1`]);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain("not found");
});

test("shoal pull prints docker's progress lines and a clear error for a missing image", async () => {
  const result = await daemon.shoal(["pull", `${registry.address}/test/busybox:1`]);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toContain(`1: Pulling from test/busybox`);
  expect(result.stdout).toContain("Already exists");
  expect(result.stdout).toContain(`Status: Image is up to date for ${registry.address}/test/busybox:1`);
  const missing = await daemon.shoal(["pull", `${registry.address}/test/nothing`]);
  expect(missing.exitCode).toBe(1);
  expect(missing.stderr).toContain("not found");
});
