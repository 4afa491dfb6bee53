/**
 * Registries for pull tests, all on loopback: Debian's docker-registry (distribution) started
 * with its own storage, a minimal push of images built here, and a fake registry for what a real
 * one will not do on request (token auth, tampered blobs, hanging).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Digest } from "../../src/engine/index.ts";
import { freePort } from "./raft-process-cluster.ts";
import { sha256 } from "./image-archives.ts";

/** A running registry. */
export interface Registry {
  address: string;
  stop(): Promise<void>;
}

/** Starts docker-registry on 127.0.0.1 with storage under `dir`. */
export async function startRegistry(dir: string): Promise<Registry> {
  const binary = Bun.which("docker-registry") ?? Bun.which("registry");
  if (!binary) throw new Error("docker-registry is not installed (apt-get install docker-registry)");
  const port = freePort();
  mkdirSync(join(dir, "storage"), { recursive: true });
  const config = join(dir, "registry.yml");
  writeFileSync(config, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, "storage")}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = Bun.spawn([binary, "serve", config], { stdout: "ignore", stderr: "pipe" });
  const address = `127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      if ((await fetch(`http://${address}/v2/`)).ok) return { address, stop: async () => (child.kill(), void (await child.exited)) };
    } catch {
      // not up yet
    }
    await Bun.sleep(25);
  }
  child.kill();
  throw new Error(`docker-registry did not start: ${await new Response(child.stderr).text()}`);
}

/** A blob to push and describe in a manifest. */
export interface PushedBlob {
  bytes: Uint8Array;
  mediaType: string;
}

/** Uploads one blob (monolithic upload). */
export async function pushBlob(address: string, repository: string, bytes: Uint8Array): Promise<Digest> {
  const digest = sha256(bytes);
  const start = await fetch(`http://${address}/v2/${repository}/blobs/uploads/`, { method: "POST" });
  if (start.status !== 202) throw new Error(`upload start: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get("Location")!, `http://${address}`);
  location.searchParams.set("digest", digest);
  const put = await fetch(location, { method: "PUT", body: bytes, headers: { "Content-Type": "application/octet-stream" } });
  if (put.status !== 201) throw new Error(`upload: ${put.status} ${await put.text()}`);
  return digest;
}

/** Pushes an image (config + layers) and returns its manifest's bytes and digest; tags it unless `tag` is null. */
export async function pushImage(address: string, repository: string, tag: string | null, config: Uint8Array, layers: PushedBlob[]): Promise<{ manifest: Uint8Array; digest: Digest }> {
  const configDigest = await pushBlob(address, repository, config);
  const layerDescriptors = [];
  for (const layer of layers) layerDescriptors.push({ mediaType: layer.mediaType, digest: await pushBlob(address, repository, layer.bytes), size: layer.bytes.length });
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: configDigest, size: config.length }, layers: layerDescriptors }));
  const digest = sha256(manifest);
  await putManifest(address, repository, tag ?? digest, manifest, "application/vnd.oci.image.manifest.v1+json");
  return { manifest, digest };
}

/** Puts a manifest or index under a tag or digest. */
export async function putManifest(address: string, repository: string, reference: string, body: Uint8Array, mediaType: string): Promise<void> {
  const response = await fetch(`http://${address}/v2/${repository}/manifests/${reference}`, { method: "PUT", body, headers: { "Content-Type": mediaType } });
  if (response.status !== 201) throw new Error(`manifest put: ${response.status} ${await response.text()}`);
}
