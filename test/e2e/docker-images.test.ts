/** The real docker CLI loading, listing, inspecting and removing images on a shoal daemon. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImage, dockerSaveArchive, tarOf } from "../support/image-archives.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

let daemon: TestDaemon;
let image: Awaited<ReturnType<typeof busyboxImage>>;
let archive: string;
beforeAll(async () => {
  daemon = await startTestDaemon();
  image = await busyboxImage(["sh", "-c", "echo hi"]);
  archive = join(daemon.dir, "busybox.tar");
  writeFileSync(archive, await dockerSaveArchive(["shoal-test/busybox:1"], image.config, image.layer));
}, 120_000);
afterAll(async () => daemon?.dispose());

test("docker load reads a docker save archive into shoal", async () => {
  const result = await daemon.docker(["load", "-i", archive]);
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toContain("Loaded image: shoal-test/busybox:1");
});

test("docker images and docker image inspect show it, and docker info counts it", async () => {
  const images = await daemon.docker(["images", "--format", "{{.Repository}} {{.Tag}} {{.ID}}"]);
  expect(images.stdout.trim()).toBe(`shoal-test/busybox 1 ${image.id.slice(7, 19)}`);
  const inspect = await daemon.docker(["image", "inspect", "shoal-test/busybox:1", "--format", "{{.Id}} {{.Os}} {{json .Config.Cmd}} {{len .RootFS.Layers}}"]);
  expect(inspect.stdout.trim()).toBe(`${image.id} linux ["sh","-c","echo hi"] 1`);
  const info = await daemon.docker(["info", "--format", "{{.Images}}"]);
  expect(info.stdout.trim()).toBe("1");
});

test("images survive a daemon restart", async () => {
  expect(await daemon.stop()).toBe(0);
  await daemon.restart();
  const images = await daemon.docker(["images", "-q"]);
  expect(images.stdout.trim()).toBe(image.id.slice(7, 19));
}, 60_000);

test("a bad archive is refused with the daemon's reason and loads nothing", async () => {
  const bad = join(daemon.dir, "bad.tar");
  writeFileSync(bad, await tarOf([{ name: "README", content: "not an image" }]));
  const result = await daemon.docker(["load", "-i", bad]);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain("Error response from daemon: the archive holds neither manifest.json (docker save) nor index.json");
  expect((await daemon.docker(["images", "-q"])).stdout.trim().split("\n").length).toBe(1);
});

test("docker rmi untags and deletes the image and its layer", async () => {
  const result = await daemon.docker(["rmi", "shoal-test/busybox:1"]);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toContain("Untagged: shoal-test/busybox:1");
  expect(result.stdout).toContain(`Deleted: ${image.id}`);
  expect((await daemon.docker(["images", "-q"])).stdout.trim()).toBe("");
  expect(existsSync(join(daemon.dataRoot, "engine", "layers", image.diffId.slice(7)))).toBe(false);
  const again = await daemon.docker(["rmi", "shoal-test/busybox:1"]);
  expect(again.exitCode).toBe(1);
  expect(again.stderr).toContain("No such image: shoal-test/busybox:1");
});
