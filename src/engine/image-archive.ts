import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { ShoalError } from "../lib/index.ts";
import type { ContentStore } from "./content-store.ts";
import { parseDigest, type Digest } from "./digest.ts";
import { imageRecord, parseImageConfig } from "./image-config.ts";
import { normalizeTag, type ImageRecord, type ImageStore } from "./image-store.ts";
import type { LayerStore } from "./layer-store.ts";
import { unpackLayer } from "./layer-unpack.ts";

/** Where `image load` keeps what it reads. */
export interface ImageStores {
  content: ContentStore;
  layers: LayerStore;
  images: ImageStore;
  /** A directory for unpacking archives (on the same filesystem as the stores). */
  scratch: string;
}

/** One image an archive held. */
interface ArchivedImage {
  configPath: string;
  layerPaths: string[];
  tags: string[];
}

interface DockerManifestEntry {
  Config?: unknown;
  RepoTags?: unknown;
  Layers?: unknown;
}

interface OciDescriptor {
  digest?: unknown;
  mediaType?: unknown;
  annotations?: Record<string, string>;
  platform?: { os?: string; architecture?: string };
}

const REF_NAME = "org.opencontainers.image.ref.name";
const CONTAINERD_NAME = "io.containerd.image.name";

/**
 * `docker load`: reads a `docker save` archive or an OCI image layout archive (plain or
 * compressed), stores each image's config and layers (every layer checked against the diff ID
 * its config lists) and records the images with their tags. Returns what was loaded.
 */
export async function loadImageArchive(input: AsyncIterable<Uint8Array>, stores: ImageStores): Promise<ImageRecord[]> {
  const dir = join(stores.scratch, `load-${randomBytes(6).toString("hex")}`);
  try {
    await unpackLayer(input, dir);
    const images = existsSync(join(dir, "manifest.json")) ? dockerImages(dir) : ociImages(dir);
    const loaded: ImageRecord[] = [];
    for (const image of images) loaded.push(await storeImage(image, stores));
    return loaded;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A path the archive names, refusing one that is missing or leads outside the archive. */
function member(dir: string, name: string): string {
  const path = join(dir, name);
  if (!existsSync(path)) throw new ShoalError("invalid_argument", `the archive lists ${name}, which it does not contain`);
  const real = realpathSync(path);
  if (!real.startsWith(realpathSync(dir) + "/") || !statSync(real).isFile()) {
    throw new ShoalError("invalid_argument", `the archive's ${name} is not a file inside the archive`);
  }
  return real;
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ShoalError("invalid_argument", `the archive's ${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function dockerImages(dir: string): ArchivedImage[] {
  const manifest = readJson(join(dir, "manifest.json"), "manifest.json");
  if (!Array.isArray(manifest)) throw new ShoalError("invalid_argument", "the archive's manifest.json is not a list of images");
  return (manifest as DockerManifestEntry[]).map((entry) => {
    if (typeof entry.Config !== "string" || !Array.isArray(entry.Layers)) {
      throw new ShoalError("invalid_argument", "an entry of the archive's manifest.json lacks Config or Layers");
    }
    return {
      configPath: member(dir, entry.Config),
      layerPaths: entry.Layers.map((layer) => member(dir, String(layer))),
      tags: Array.isArray(entry.RepoTags) ? entry.RepoTags.map(String) : [],
    };
  });
}

function blob(dir: string, descriptor: OciDescriptor): string {
  const digest = parseDigest(String(descriptor.digest ?? ""));
  return member(dir, `blobs/sha256/${digest.slice(7)}`);
}

function ociImages(dir: string): ArchivedImage[] {
  if (!existsSync(join(dir, "index.json"))) {
    throw new ShoalError("invalid_argument", "the archive holds neither manifest.json (docker save) nor index.json (an OCI image layout)");
  }
  const index = readJson(join(dir, "index.json"), "index.json") as { manifests?: OciDescriptor[] };
  const images: ArchivedImage[] = [];
  for (const descriptor of index.manifests ?? []) {
    const tag = descriptor.annotations?.[CONTAINERD_NAME] ?? descriptor.annotations?.[REF_NAME];
    let manifest = readJson(blob(dir, descriptor), `manifest ${String(descriptor.digest)}`) as { manifests?: OciDescriptor[]; config?: OciDescriptor; layers?: OciDescriptor[] };
    if (manifest.manifests) {
      // A multi-platform index: take this machine's platform.
      const chosen = manifest.manifests.find((entry) => entry.platform?.os === "linux" && entry.platform?.architecture === "amd64");
      if (!chosen) throw new ShoalError("invalid_argument", `image ${tag ?? String(descriptor.digest)} has no linux/amd64 variant in the archive`);
      manifest = readJson(blob(dir, chosen), `manifest ${String(chosen.digest)}`) as typeof manifest;
    }
    if (!manifest.config || !Array.isArray(manifest.layers)) throw new ShoalError("invalid_argument", `manifest ${String(descriptor.digest)} lacks config or layers`);
    images.push({ configPath: blob(dir, manifest.config), layerPaths: manifest.layers.map((layer) => blob(dir, layer)), tags: tag ? [tag] : [] });
  }
  return images;
}

async function storeImage(image: ArchivedImage, stores: ImageStores): Promise<ImageRecord> {
  const configBytes = readFileSync(image.configPath);
  const id = `sha256:${new Bun.CryptoHasher("sha256").update(configBytes).digest("hex")}` as Digest;
  const config = parseImageConfig(configBytes, "the archive's image config");
  const diffIds = config.diffIds;
  if (diffIds.length !== image.layerPaths.length) {
    throw new ShoalError("invalid_argument", `image ${id} lists ${diffIds.length} diff IDs in its config but the archive has ${image.layerPaths.length} layers`);
  }
  await stores.content.write(id, async function* () {
    yield configBytes;
  });
  let size = 0;
  for (const [i, diffId] of diffIds.entries()) {
    const path = image.layerPaths[i]!;
    await stores.layers.ensure(diffId, () => Bun.file(path).stream());
    size += statSync(path).size;
  }
  await stores.images.put(imageRecord(id, config, { RepoTags: image.tags.map(normalizeTag), RepoDigests: [] }, size));
  return stores.images.get(id);
}
