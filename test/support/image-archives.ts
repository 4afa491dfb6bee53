/** Image archives for tests, built from the real busybox-static binary (no registry, no internet). */
import { readFileSync } from "node:fs";
import { pack } from "tar-stream";
import type { Digest } from "../../src/engine/index.ts";

/** One member of a tar built by {@link tarOf}. */
export interface TarMember {
  name: string;
  content?: Uint8Array | string;
  type?: "file" | "symlink" | "directory";
  linkname?: string;
  mode?: number;
}

/** The sha256 digest of some bytes. */
export const sha256 = (data: Uint8Array): Digest => `sha256:${new Bun.CryptoHasher("sha256").update(data).digest("hex")}`;

/** An uncompressed tar of `members`. */
export async function tarOf(members: TarMember[]): Promise<Uint8Array> {
  const archive = pack();
  const parts: Uint8Array[] = [];
  const done = (async () => {
    for await (const part of archive) parts.push(part as Uint8Array);
  })();
  for (const member of members) {
    // A fixed time keeps archives (and so diff IDs) the same from one build to the next.
    const header = { name: member.name, type: member.type ?? "file", linkname: member.linkname, mode: member.mode ?? 0o644, mtime: new Date("2026-01-01T00:00:00Z") } as const;
    archive.entry(header, member.type && member.type !== "file" ? "" : (member.content ?? ""));
  }
  archive.finalize();
  await done;
  return Buffer.concat(parts);
}

/** A busybox image: one layer with /bin/busybox and /bin/sh, and its config. */
export async function busyboxImage(cmd: string[] = ["sh"]): Promise<{ layer: Uint8Array; diffId: Digest; config: Uint8Array; id: Digest }> {
  const layer = await tarOf([
    { name: "bin/", type: "directory", mode: 0o755 },
    { name: "bin/busybox", content: readFileSync("/bin/busybox"), mode: 0o755 },
    { name: "bin/sh", type: "symlink", linkname: "busybox" },
  ]);
  const diffId = sha256(layer);
  const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", created: "2026-11-25T00:00:00Z", config: { Cmd: cmd, Env: ["PATH=/bin"] }, rootfs: { type: "layers", diff_ids: [diffId] } }));
  return { layer, diffId, config, id: sha256(config) };
}

/** A `docker save` archive of one image. */
export function dockerSaveArchive(tags: string[], config: Uint8Array, layer: Uint8Array): Promise<Uint8Array> {
  return tarOf([
    { name: "manifest.json", content: JSON.stringify([{ Config: "config.json", RepoTags: tags, Layers: ["0123abcd/layer.tar"] }]) },
    { name: "config.json", content: config },
    { name: "0123abcd/layer.tar", content: layer },
  ]);
}

/** Yields `data` in chunks, as a network or file stream would. */
export async function* chunksOf(data: Uint8Array, size = 64 * 1024): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}
