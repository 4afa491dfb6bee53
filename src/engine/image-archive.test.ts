/** `image load` of docker-save and OCI-layout archives built here from the real busybox-static binary. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ShoalError } from "../lib/index.ts";
import { ContentStore } from "./content-store.ts";
import type { Digest } from "./digest.ts";
import { openEngineMeta, type EngineMeta } from "./engine-identity.ts";
import { loadImageArchive, type ImageStores } from "./image-archive.ts";
import { ImageStore } from "./image-store.ts";
import { LayerStore } from "./layer-store.ts";
import { busyboxImage, chunksOf, dockerSaveArchive, sha256, tarOf } from "../../test/support/image-archives.ts";

const work = mkdtempSync("/tmp/shoal-images-");
let meta: EngineMeta;
let stores: ImageStores;
beforeAll(async () => {
  meta = await openEngineMeta(join(work, "data"));
  const engine = join(work, "data", "engine");
  mkdirSync(join(engine, "tmp"), { recursive: true });
  stores = { content: new ContentStore(join(engine, "blobs")), layers: new LayerStore(join(engine, "layers")), images: new ImageStore(meta.db), scratch: join(engine, "tmp") };
});
afterAll(async () => {
  await meta.close();
  rmSync(work, { recursive: true, force: true });
});

let layer: Uint8Array;
let diffId: Digest;
let config: Uint8Array;
beforeAll(async () => {
  ({ layer, diffId, config } = await busyboxImage());
});

const chunks = (data: Uint8Array) => chunksOf(data);
const tar = tarOf;
const dockerSave = (tags: string[], configBytes = config, layerBytes = layer) => dockerSaveArchive(tags, configBytes, layerBytes);

describe("image load", () => {
  test("a docker save archive becomes an image whose layer runs", async () => {
    const [image] = await loadImageArchive(chunks(await dockerSave(["shoal-test/busybox:1"])), stores);
    expect(image!.ID).toBe(sha256(config));
    expect(image!.RepoTags).toEqual(["shoal-test/busybox:1"]);
    expect(image!.Layers).toEqual([diffId]);
    expect(image!.Config).toEqual({ Cmd: ["sh"], Env: ["PATH=/bin"] });
    expect(stores.images.get("shoal-test/busybox:1").ID).toBe(image!.ID);
    expect(stores.images.get(image!.ID.slice(7, 19)).ID).toBe(image!.ID);
    const run = Bun.spawnSync(["chroot", stores.layers.path(diffId), "/bin/sh", "-c", "echo hello from the layer"]);
    expect(run.stdout.toString()).toBe("hello from the layer\n");
  });

  test("an OCI layout archive with a gzip layer loads, sharing the layer already unpacked", async () => {
    const compressed = gzipSync(layer);
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length }, layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: sha256(compressed), size: compressed.length }] }));
    const index = { schemaVersion: 2, manifests: [{ mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256(manifest), size: manifest.length, annotations: { "org.opencontainers.image.ref.name": "shoal-test/busybox:oci" } }] };
    const archive = await tar([
      { name: "oci-layout", content: '{"imageLayoutVersion":"1.0.0"}' },
      { name: "index.json", content: JSON.stringify(index) },
      { name: `blobs/sha256/${sha256(manifest).slice(7)}`, content: manifest },
      { name: `blobs/sha256/${sha256(config).slice(7)}`, content: config },
      { name: `blobs/sha256/${sha256(compressed).slice(7)}`, content: compressed },
    ]);
    const [image] = await loadImageArchive(chunks(gzipSync(archive)), stores);
    expect(image!.RepoTags).toContain("shoal-test/busybox:oci");
    expect(image!.RepoTags).toContain("shoal-test/busybox:1");
    expect(stores.images.list().length).toBe(1);
  });
});

describe("bad archives change nothing", () => {
  test("a layer that does not match its diff ID", async () => {
    // The config promises a layer this engine does not have; the archive carries other bytes.
    const promised = sha256(await tar([{ name: "bin/tool", content: "the real one" }]));
    const claimingConfig = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [promised] } }));
    const tampered = await tar([{ name: "bin/tool", content: "something else" }]);
    const error = await loadImageArchive(chunks(await dockerSave(["shoal-test/bad:1"], claimingConfig, tampered)), stores).catch((failure: ShoalError) => failure);
    expect((error as ShoalError).message).toContain("does not match its diff ID");
    expect(() => stores.images.get("shoal-test/bad:1")).toThrow("No such image");
    expect(stores.layers.has(promised)).toBe(false);
  });

  test("an archive with neither manifest.json nor index.json, or naming files it lacks", async () => {
    const empty = await loadImageArchive(chunks(await tar([{ name: "README", content: "hi" }])), stores).catch((failure: ShoalError) => failure);
    expect((empty as ShoalError).message).toContain("neither manifest.json (docker save) nor index.json");
    const missing = await tar([{ name: "manifest.json", content: JSON.stringify([{ Config: "nope.json", Layers: [] }]) }]);
    const error = await loadImageArchive(chunks(missing), stores).catch((failure: ShoalError) => failure);
    expect((error as ShoalError).message).toBe("the archive lists nope.json, which it does not contain");
    expect(existsSync(stores.scratch) && Bun.spawnSync(["ls", stores.scratch]).stdout.toString()).toBe("");
  });

  test("an unknown image reference is not found", () => {
    expect(() => stores.images.get("nothing:here")).toThrow("No such image: nothing:here");
  });
});
