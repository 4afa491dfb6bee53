/**
 * The images the engine benchmark uses: the busybox image of the tests as a `docker save` archive,
 * and a ~100 MiB multi-layer image of incompressible bytes, the same for a given seed, pushed to
 * a registry on loopback.
 */
import { createCipheriv, createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { busyboxImage, dockerSaveArchive, sha256, tarOf } from "../../test/support/image-archives.ts";
import { pushImage } from "../../test/support/registry.ts";

/** A `docker save` archive of busybox tagged `tag` (runs `busybox sleep …` and the like). */
export async function busyboxArchive(tag: string): Promise<Uint8Array> {
  const image = await busyboxImage(["sh"]);
  return dockerSaveArchive([tag], image.config, image.layer);
}

/** `size` pseudo-random bytes from `seed` (AES-256-CTR keystream: fast, incompressible, repeatable). */
export function seededBytes(seed: string, size: number): Buffer {
  const key = createHash("sha256").update(seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

/** Pushes `layers` gzip layers of `layerBytes` random bytes each as `repository:tag`; returns the bytes pulled (config + layer blobs). */
export async function pushBigImage(address: string, repository: string, tag: string, layers: number, layerBytes: number, seed = "shoal-bench"): Promise<number> {
  const blobs: { bytes: Uint8Array; mediaType: string }[] = [];
  const diffIds: string[] = [];
  for (let index = 0; index < layers; index++) {
    const tar = await tarOf([
      { name: "bench/", type: "directory", mode: 0o755 },
      { name: `bench/layer-${index}.bin`, content: seededBytes(`${seed}/${index}`, layerBytes) },
    ]);
    diffIds.push(sha256(tar));
    blobs.push({ bytes: gzipSync(tar, { level: 1 }), mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" });
  }
  const config = Buffer.from(
    JSON.stringify({ architecture: "amd64", os: "linux", created: "2026-01-01T00:00:00Z", config: { Cmd: ["/bin/true"] }, rootfs: { type: "layers", diff_ids: diffIds } }),
  );
  await pushImage(address, repository, tag, config, blobs);
  return config.length + blobs.reduce((sum, blob) => sum + blob.bytes.length, 0);
}
