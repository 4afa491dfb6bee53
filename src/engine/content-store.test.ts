import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack } from "tar-stream";
import { ShoalError } from "../lib/index.ts";
import { ContentStore } from "./content-store.ts";
import { parseDigest, type Digest } from "./digest.ts";
import { LayerStore } from "./layer-store.ts";

const work = mkdtempSync("/tmp/shoal-content-");
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => join(work, `store-${++counter}`);

const sha256 = (data: Uint8Array): Digest => `sha256:${new Bun.CryptoHasher("sha256").update(data).digest("hex")}`;
async function* chunks(data: Uint8Array, size = 100): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += size) yield data.subarray(offset, offset + size);
}

test("a blob is stored under its digest once its bytes match it", async () => {
  const store = new ContentStore(freshDir());
  const data = new TextEncoder().encode("{\"architecture\":\"amd64\"}".repeat(20));
  const digest = sha256(data);
  expect(await store.write(digest, () => chunks(data))).toBe(data.length);
  expect(store.has(digest)).toBe(true);
  expect(Buffer.from(store.read(digest)).equals(Buffer.from(data))).toBe(true);
  let streamed = 0;
  for await (const chunk of store.stream(digest)) streamed += chunk.length;
  expect(streamed).toBe(data.length);
});

test("bytes that do not match the digest, or the announced size, are refused and nothing is kept", async () => {
  const root = freshDir();
  const store = new ContentStore(root);
  const data = new TextEncoder().encode("real content");
  const wrong = sha256(new TextEncoder().encode("something else"));
  const mismatch = await store.write(wrong, () => chunks(data)).catch((error: ShoalError) => error);
  expect((mismatch as ShoalError).message).toContain("does not match its digest");
  expect(store.has(wrong)).toBe(false);
  const oversize = await store.write(sha256(data), () => chunks(data), { size: 4 }).catch((error: ShoalError) => error);
  expect((oversize as ShoalError).message).toContain("larger than the 4 bytes expected");
  expect(readdirSync(join(root, "sha256"))).toEqual([]);
  expect(readdirSync(join(root, "tmp"))).toEqual([]);
});

test("concurrent writes of one blob read the source once; a stored blob is not read again", async () => {
  const store = new ContentStore(freshDir());
  const data = new Uint8Array(10_000).fill(7);
  const digest = sha256(data);
  let opened = 0;
  const source = () => (opened++, chunks(data));
  await Promise.all([store.write(digest, source), store.write(digest, source), store.write(digest, source)]);
  expect(opened).toBe(1);
  await store.write(digest, source);
  expect(opened).toBe(1);
});

test("digests other than sha256 with 64 hex digits are refused", () => {
  for (const value of ["sha256:abc", "md5:" + "0".repeat(32), "sha256:" + "G".repeat(64), ""]) {
    expect(() => parseDigest(value)).toThrow("invalid digest");
  }
  expect(parseDigest("sha256:" + "a".repeat(64))).toBe(`sha256:${"a".repeat(64)}`);
});

async function layerTar(files: Record<string, string>): Promise<Uint8Array> {
  const archive = pack();
  const parts: Uint8Array[] = [];
  const done = (async () => {
    for await (const part of archive) parts.push(part as Uint8Array);
  })();
  for (const [name, content] of Object.entries(files)) archive.entry({ name }, content);
  archive.finalize();
  await done;
  return Buffer.concat(parts);
}

test("a layer is unpacked once, by its diff ID, and shared", async () => {
  const layers = new LayerStore(freshDir());
  const tar = await layerTar({ "bin/tool": "#!" });
  const diffId = sha256(tar);
  const compressed = gzipSync(tar);
  let opened = 0;
  const open = () => (opened++, chunks(compressed));
  const [a, b] = await Promise.all([layers.ensure(diffId, open), layers.ensure(diffId, open)]);
  expect(a).toBe(b);
  expect(await Bun.file(join(a, "bin/tool")).text()).toBe("#!");
  await layers.ensure(diffId, open);
  expect(opened).toBe(1);
});

test("a layer whose tar does not match its diff ID is refused and leaves nothing", async () => {
  const root = freshDir();
  const layers = new LayerStore(root);
  const tar = await layerTar({ "etc/motd": "hello" });
  const claimed = sha256(new TextEncoder().encode("another layer"));
  const error = await layers.ensure(claimed, () => chunks(gzipSync(tar))).catch((failure: ShoalError) => failure);
  expect((error as ShoalError).message).toContain("does not match its diff ID");
  expect(readdirSync(root)).toEqual([]);
});
