/** Pulling images from a real registry on loopback, and from a fake one for auth and hostile cases. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Engine, type PullProgress } from "../../src/engine/index.ts";
import { ShoalError } from "../../src/lib/index.ts";
import { busyboxImage, sha256 } from "../support/image-archives.ts";
import { putManifest, pushImage, startRegistry, type Registry } from "../support/registry.ts";

const work = mkdtempSync("/tmp/shoal-pull-");
let registry: Registry;
let engine: Engine;
let image: Awaited<ReturnType<typeof busyboxImage>>;
let gzipped: Uint8Array;
beforeAll(async () => {
  registry = await startRegistry(join(work, "registry"));
  engine = await Engine.open(join(work, "data"), { timeoutMs: 2000 });
  image = await busyboxImage();
  gzipped = gzipSync(image.layer);
}, 60_000);
afterAll(async () => {
  await registry?.stop();
  await engine?.close();
  rmSync(work, { recursive: true, force: true });
});

describe("from docker-registry on loopback", () => {
  test("an image pulled by tag is recorded with its tag and repo digest, and its layer runs", async () => {
    const { digest } = await pushImage(registry.address, "test/busybox", "1", image.config, [{ bytes: gzipped, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }]);
    const progress: PullProgress[] = [];
    const pulled = await engine.pullImage(`${registry.address}/test/busybox:1`, (line) => progress.push(line));
    expect(pulled.ID).toBe(image.id);
    expect(pulled.RepoTags).toEqual([`${registry.address}/test/busybox:1`]);
    expect(pulled.RepoDigests).toEqual([`${registry.address}/test/busybox@${digest}`]);
    expect(progress.map((line) => line.status)).toContain("Pull complete");
    // Progress per byte: the last "Downloading" line has the whole layer, with docker's bar.
    const downloads = progress.filter((line) => line.status === "Downloading");
    expect(downloads.at(-1)?.progressDetail).toEqual({ current: gzipped.byteLength, total: gzipped.byteLength });
    expect(downloads.at(-1)?.progress).toMatch(/^\[={50}\] +[\d.]+[kM]B\/[\d.]+[kM]B$/);
    expect(progress.at(-1)?.status).toBe(`Status: Downloaded newer image for ${registry.address}/test/busybox:1`);
    const run = Bun.spawnSync(["chroot", engine.layers.path(image.diffId), "/bin/sh", "-c", "echo pulled"]);
    expect(run.stdout.toString()).toBe("pulled\n");
  });

  test("a second image sharing the layer does not download it again; a pull by digest works", async () => {
    const other = await busyboxImage(["sh", "-c", "echo other"]);
    const { digest } = await pushImage(registry.address, "test/other", null, other.config, [{ bytes: gzipped, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }]);
    const progress: PullProgress[] = [];
    const pulled = await engine.pullImage(`${registry.address}/test/other@${digest}`, (line) => progress.push(line));
    expect(pulled.ID).toBe(other.id);
    expect(pulled.RepoTags).toEqual([]);
    expect(progress.filter((line) => line.status === "Already exists").length).toBe(1);
    expect(progress.some((line) => line.status === "Pulling fs layer")).toBe(false);
  });

  test("from a multi-platform index the linux/amd64 image is chosen", async () => {
    const arm = Buffer.from(JSON.stringify({ architecture: "arm64", os: "linux", rootfs: { type: "layers", diff_ids: [image.diffId] } }));
    const armPushed = await pushImage(registry.address, "test/multi", null, arm, [{ bytes: gzipped, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }]);
    const amdPushed = await pushImage(registry.address, "test/multi", null, image.config, [{ bytes: gzipped, mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }]);
    const index = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: armPushed.digest, size: armPushed.manifest.length, platform: { os: "linux", architecture: "arm64" } },
        { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: amdPushed.digest, size: amdPushed.manifest.length, platform: { os: "linux", architecture: "amd64" } },
      ],
    }));
    await putManifest(registry.address, "test/multi", "latest", index, "application/vnd.oci.image.index.v1+json");
    const pulled = await engine.pullImage(`${registry.address}/test/multi`);
    expect(pulled.ID).toBe(image.id);
    expect(pulled.Architecture).toBe("amd64");
    expect(pulled.RepoDigests[0]).toEndWith(amdPushed.digest);
  });

  test("a missing image is not found, with the registry's words", async () => {
    const error = await engine.pullImage(`${registry.address}/test/nothing:1`).catch((failure: ShoalError) => failure);
    expect((error as ShoalError).code).toBe("not_found");
    expect((error as ShoalError).message).toContain("not found");
  });
});

/** A fake registry serving one image, behind a bearer-token challenge, able to tamper and hang. */
function fakeRegistry(options: { tamperLayer?: boolean; hang?: boolean }) {
  let blobRequests = 0;
  let tokenRequests = 0;
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { digest: sha256(image.config), size: image.config.length }, layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha256(gzipped), size: gzipped.length }] }));
  const server: Bun.Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request: Request): Promise<Response> {
      const url = new URL(request.url);
      if (options.hang) await Bun.sleep(60_000);
      if (url.pathname === "/token") {
        tokenRequests++;
        expect(url.searchParams.get("scope")).toBe("repository:fake/busybox:pull");
        return Response.json({ token: "good-token" });
      }
      if (request.headers.get("Authorization") !== "Bearer good-token") {
        return new Response("unauthorized", { status: 401, headers: { "WWW-Authenticate": `Bearer realm="http://127.0.0.1:${server.port}/token",service="fake",scope="repository:fake/busybox:pull"` } });
      }
      if (url.pathname.endsWith("/manifests/1")) return new Response(manifest, { headers: { "Content-Type": "application/vnd.oci.image.manifest.v1+json" } });
      if (url.pathname.includes("/blobs/")) {
        blobRequests++;
        const digest = url.pathname.split("/").at(-1);
        if (digest === sha256(image.config)) return new Response(image.config);
        if (digest === sha256(gzipped)) return new Response(options.tamperLayer ? gzipSync(Buffer.from("evil")) : gzipped);
      }
      return new Response("not found", { status: 404 });
    },
  });
  return { address: `127.0.0.1:${server.port}`, stop: () => server.stop(true), counts: () => ({ blobRequests, tokenRequests }) };
}

describe("from a fake registry", () => {
  test("a bearer-token challenge is answered; concurrent pulls of one image download each blob once", async () => {
    const fake = fakeRegistry({});
    const fresh = await Engine.open(join(work, "data-token"), { timeoutMs: 2000 });
    try {
      const [a, b] = await Promise.all([fresh.pullImage(`${fake.address}/fake/busybox:1`), fresh.pullImage(`${fake.address}/fake/busybox:1`)]);
      expect(a.ID).toBe(image.id);
      expect(b.ID).toBe(image.id);
      expect(fake.counts().blobRequests).toBe(2);
      expect(fake.counts().tokenRequests).toBeGreaterThanOrEqual(1);
    } finally {
      fake.stop();
      await fresh.close();
    }
  });

  test("a layer whose bytes do not match its digest is refused and nothing of it is kept", async () => {
    const fake = fakeRegistry({ tamperLayer: true });
    const fresh = await Engine.open(join(work, "data-tamper"), { timeoutMs: 2000 });
    try {
      const error = await fresh.pullImage(`${fake.address}/fake/busybox:1`).catch((failure: ShoalError) => failure);
      expect((error as ShoalError).message).toContain("does not match its digest");
      expect(fresh.images.list()).toEqual([]);
      expect(fresh.content.has(sha256(gzipped))).toBe(false);
      expect(readdirSync(join(work, "data-tamper", "engine", "layers"))).toEqual([]);
    } finally {
      fake.stop();
      await fresh.close();
    }
  });

  test("a registry that hangs fails the pull within the timeout with a clear error", async () => {
    const fake = fakeRegistry({ hang: true });
    const fresh = await Engine.open(join(work, "data-hang"), { timeoutMs: 300 });
    try {
      const started = performance.now();
      const error = await fresh.pullImage(`${fake.address}/fake/busybox:1`).catch((failure: ShoalError) => failure);
      expect((error as ShoalError).code).toBe("unavailable");
      expect((error as ShoalError).message).toContain("did not answer");
      expect(performance.now() - started).toBeLessThan(5000);
      expect(existsSync(join(work, "data-hang", "engine", "layers"))).toBe(true);
    } finally {
      fake.stop();
      await fresh.close();
    }
  }, 20_000);
});
