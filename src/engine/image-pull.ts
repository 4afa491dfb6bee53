import { ShoalError } from "../lib/index.ts";
import type { ContentStore } from "./content-store.ts";
import { parseDigest } from "./digest.ts";
import { parseImageReference, type ImageReference } from "./image-reference.ts";
import { imageRecord, parseImageConfig } from "./image-config.ts";
import type { ImageRecord, ImageStore } from "./image-store.ts";
import type { LayerStore } from "./layer-store.ts";
import type { RegistryClient } from "./registry-client.ts";

/** One line of pull progress, as docker's JSON message stream carries it. */
export interface PullProgress {
  status: string;
  id?: string;
  /** Bytes so far of a download, and its size when known. */
  progressDetail?: { current: number; total?: number };
  /** docker's bar: `[=====>     ]  1.2MB/3.4MB`. */
  progress?: string;
}

const PROGRESS_EVERY_BYTES = 256 * 1024;
const BAR_WIDTH = 50;

function decimalSize(bytes: number): string {
  const units = ["B", "kB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0).replace(/\.0+$/, "")}${units[unit]}`;
}

/** docker's progress bar text for `current` of `total` bytes. */
export function progressBar(current: number, total: number | undefined): string {
  if (!total) return `${decimalSize(current)}`;
  const filled = Math.min(BAR_WIDTH, Math.floor((current / total) * BAR_WIDTH));
  const bar = filled >= BAR_WIDTH ? "=".repeat(BAR_WIDTH) : `${"=".repeat(filled)}>${" ".repeat(BAR_WIDTH - filled - 1)}`;
  return `[${bar}] ${decimalSize(current).padStart(7)}/${decimalSize(total)}`;
}

/** Passes a download through, reporting "Downloading" every 256 KiB (and at the end). */
async function* reportingDownload(chunks: AsyncIterable<Uint8Array>, total: number | undefined, report: (progress: PullProgress) => void, id: string): AsyncIterable<Uint8Array> {
  let current = 0;
  let reported = 0;
  for await (const chunk of chunks) {
    current += chunk.byteLength;
    if (current - reported >= PROGRESS_EVERY_BYTES || (total !== undefined && current === total)) {
      reported = current;
      report({ status: "Downloading", id, progressDetail: { current, total }, progress: progressBar(current, total) });
    }
    yield chunk;
  }
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

interface Manifest {
  mediaType?: string;
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

const LAYER_TYPES = new Set([
  "application/vnd.oci.image.layer.v1.tar",
  "application/vnd.oci.image.layer.v1.tar+gzip",
  "application/vnd.oci.image.layer.v1.tar+zstd",
  "application/vnd.docker.image.rootfs.diff.tar.gzip",
]);

/** What a pull needs. */
export interface PullContext {
  registry: RegistryClient;
  content: ContentStore;
  layers: LayerStore;
  images: ImageStore;
  platform?: { os: string; architecture: string };
  onProgress?: (progress: PullProgress) => void;
}

function parseManifest(body: Uint8Array, what: string): Manifest {
  try {
    return JSON.parse(Buffer.from(body).toString("utf8")) as Manifest;
  } catch {
    throw new ShoalError("invalid_argument", `${what} is not valid JSON`);
  }
}

/**
 * `docker pull`: resolves the reference (choosing this platform from a multi-platform index),
 * downloads the config and the layers this engine lacks (every blob checked against its digest,
 * every layer against its diff ID), and records the image with its tag and repo digest.
 */
export async function pullImage(name: string, context: PullContext): Promise<ImageRecord> {
  const reference = parseImageReference(name);
  const platform = context.platform ?? { os: "linux", architecture: "amd64" };
  const progress = context.onProgress ?? (() => {});
  progress({ status: `Pulling from ${reference.repository.replace(/^library\//, "")}`, id: reference.tag ?? reference.digest ?? "" });

  let { body, digest } = await context.registry.manifest(reference, reference.digest ?? reference.tag!);
  if (reference.digest && digest !== reference.digest) {
    throw new ShoalError("invalid_argument", `manifest of ${name} does not match the digest asked for (its bytes hash to ${digest})`);
  }
  let manifest = parseManifest(body, `manifest of ${name}`);
  if (manifest.manifests) {
    const chosen = manifest.manifests.find((entry) => entry.platform?.os === platform.os && entry.platform?.architecture === platform.architecture);
    if (!chosen) throw new ShoalError("not_found", `no matching manifest for ${platform.os}/${platform.architecture} in the manifest list entries of ${name}`);
    const wanted = parseDigest(String(chosen.digest));
    ({ body, digest } = await context.registry.manifest(reference, wanted));
    if (digest !== wanted) throw new ShoalError("invalid_argument", `manifest ${wanted} of ${name} does not match its digest (its bytes hash to ${digest})`);
    manifest = parseManifest(body, `manifest ${wanted}`);
  }
  if (!manifest.config?.digest || !Array.isArray(manifest.layers)) {
    throw new ShoalError("invalid_argument", `manifest of ${name} is not an image manifest (no config or layers)`);
  }

  const configDigest = parseDigest(String(manifest.config.digest));
  const known = context.images.find(configDigest);
  const upToDate = known !== undefined && (!reference.tag || known.RepoTags.includes(reference.familiar));
  await context.content.write(configDigest, () => context.registry.blob(reference, configDigest), { size: manifest.config.size, maxBytes: 16 * 1024 * 1024 });
  const config = parseImageConfig(context.content.read(configDigest), `the config of ${name}`);
  const diffIds = config.diffIds;
  if (diffIds.length !== manifest.layers.length) {
    throw new ShoalError("invalid_argument", `image ${name} has ${manifest.layers.length} layers but its config lists ${diffIds.length} diff IDs`);
  }

  let size = 0;
  await Promise.all(
    manifest.layers.map(async (layer, index) => {
      const layerDigest = parseDigest(String(layer.digest));
      const short = layerDigest.slice(7, 19);
      if (layer.mediaType && !LAYER_TYPES.has(layer.mediaType)) throw new ShoalError("invalid_argument", `layer ${layerDigest} of ${name} has the unsupported media type ${layer.mediaType}`);
      size += layer.size ?? 0;
      const diffId = diffIds[index]!;
      if (context.layers.has(diffId)) return progress({ status: "Already exists", id: short });
      progress({ status: "Pulling fs layer", id: short });
      await context.content.write(layerDigest, () => reportingDownload(context.registry.blob(reference, layerDigest), layer.size, progress, short), { size: layer.size });
      progress({ status: "Download complete", id: short });
      await context.layers.ensure(diffId, () => context.content.stream(layerDigest));
      progress({ status: "Pull complete", id: short });
    }),
  );

  const repository = repositoryName(reference);
  await context.images.put(imageRecord(configDigest, config, { RepoTags: reference.tag ? [reference.familiar] : [], RepoDigests: [`${repository}@${digest}`] }, size));
  progress({ status: `Digest: ${digest}` });
  progress({ status: upToDate ? `Status: Image is up to date for ${reference.familiar}` : `Status: Downloaded newer image for ${reference.familiar}` });
  return context.images.get(configDigest);
}

function repositoryName(reference: ImageReference): string {
  return reference.familiar.replace(/[:@][^/]*$/, "");
}
