/** Layer unpacking against real tarballs, a real filesystem and a real overlay mount (as root). */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync, zstdCompressSync } from "node:zlib";
import { pack } from "tar-stream";
import { getXattr } from "../../native/index.ts";
import { ShoalError } from "../lib/index.ts";
import { unpackLayer } from "./layer-unpack.ts";

const work = mkdtempSync("/tmp/shoal-layers-");
afterAll(() => rmSync(work, { recursive: true, force: true }));
let counter = 0;
const fresh = () => join(work, `layer-${++counter}`);

interface Member {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "fifo";
  content?: string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  size?: number;
}

async function tarball(members: Member[], compression: "none" | "gzip" | "zstd" = "gzip"): Promise<Uint8Array> {
  const archive = pack();
  const chunks: Uint8Array[] = [];
  const collected = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Uint8Array);
  })();
  for (const member of members) {
    const content = member.content ?? "";
    const header = { name: member.name, type: member.type ?? "file", linkname: member.linkname, mode: member.mode, uid: member.uid ?? 0, gid: member.gid ?? 0, mtime: new Date("2026-01-02T03:04:05Z"), size: member.size } as const;
    if (member.type === undefined || member.type === "file") archive.entry(header, content);
    else archive.entry(header, "");
  }
  archive.finalize();
  await collected;
  const raw = Buffer.concat(chunks);
  return compression === "gzip" ? gzipSync(raw) : compression === "zstd" ? zstdCompressSync(raw) : raw;
}

async function* bytes(data: Uint8Array, chunkSize = 1000): AsyncIterable<Uint8Array> {
  for (let offset = 0; offset < data.length; offset += chunkSize) yield data.subarray(offset, offset + chunkSize);
}

async function refused(members: Member[]): Promise<{ error: ShoalError; target: string }> {
  const target = fresh();
  const error = await unpackLayer(bytes(await tarball(members)), target).then(
    () => {
      throw new Error("the layer was accepted");
    },
    (failure: ShoalError) => failure,
  );
  expect(error).toBeInstanceOf(ShoalError);
  expect(existsSync(target)).toBe(false);
  return { error, target };
}

const basic: Member[] = [
  { name: "bin/", type: "directory", mode: 0o755 },
  { name: "bin/busybox", content: "#!binary", mode: 0o755 },
  { name: "bin/sh", type: "symlink", linkname: "busybox" },
  { name: "bin/ls", type: "link", linkname: "bin/busybox" },
  { name: "etc/passwd", content: "root:x:0:0::/root:/bin/sh\n", mode: 0o644, uid: 0 },
  { name: "/home/user/.profile", content: "export PS1", mode: 0o600, uid: 1000, gid: 1000 },
  { name: "run/pipe", type: "fifo", mode: 0o600 },
];

describe("unpacking", () => {
  for (const compression of ["gzip", "zstd", "none"] as const) {
    test(`files, directories, links, owners and modes land as in the layer (${compression})`, async () => {
      const target = fresh();
      const result = await unpackLayer(bytes(await tarball(basic, compression), 333), target);
      expect(result.entries).toBe(basic.length);
      expect(readFileSync(join(target, "bin/busybox"), "utf8")).toBe("#!binary");
      expect(statSync(join(target, "bin/busybox")).mode & 0o777).toBe(0o755);
      expect(readlinkSync(join(target, "bin/sh"))).toBe("busybox");
      expect(statSync(join(target, "bin/ls")).ino).toBe(statSync(join(target, "bin/busybox")).ino);
      expect(readFileSync(join(target, "home/user/.profile"), "utf8")).toBe("export PS1");
      const profile = statSync(join(target, "home/user/.profile"));
      expect([profile.uid, profile.gid, profile.mode & 0o777]).toEqual([1000, 1000, 0o600]);
      expect(lstatSync(join(target, "run/pipe")).isFIFO()).toBe(true);
      expect(statSync(join(target, "etc/passwd")).mtime.toISOString()).toBe("2026-01-02T03:04:05.000Z");
    });
  }

  test("the diff ID is the sha256 of the uncompressed tar, however it was compressed", async () => {
    const raw = await tarball(basic, "none");
    const expected = `sha256:${new Bun.CryptoHasher("sha256").update(raw).digest("hex")}`;
    for (const data of [raw, gzipSync(raw), zstdCompressSync(raw)]) {
      expect((await unpackLayer(bytes(data, 777), fresh())).diffId).toBe(expected);
    }
  });

  test("whiteouts become overlay whiteout devices and opaque markers set the overlay xattr", async () => {
    const target = fresh();
    await unpackLayer(bytes(await tarball([{ name: "a/.wh.gone" }, { name: "b/" , type: "directory" }, { name: "b/.wh..wh..opq" }, { name: "b/new", content: "n" }])), target);
    const whiteout = lstatSync(join(target, "a/gone"));
    expect(whiteout.isCharacterDevice()).toBe(true);
    expect(whiteout.rdev).toBe(0);
    expect(existsSync(join(target, "a/.wh.gone"))).toBe(false);
    expect(getXattr(join(target, "b"), "trusted.overlay.opaque")).toBe("y");
    expect(existsSync(join(target, "b/.wh..wh..opq"))).toBe(false);
  });

  test("an overlay of two unpacked layers hides what the upper one whited out", async () => {
    const lower = fresh();
    const upper = fresh();
    await unpackLayer(bytes(await tarball([{ name: "a/keep", content: "k" }, { name: "a/gone", content: "g" }, { name: "b/old", content: "o" }])), lower);
    await unpackLayer(bytes(await tarball([{ name: "a/.wh.gone" }, { name: "b/", type: "directory" }, { name: "b/.wh..wh..opq" }, { name: "b/new", content: "n" }])), upper);
    const merged = fresh();
    mkdirSync(merged);
    const mount = Bun.spawnSync(["mount", "-t", "overlay", "overlay", "-o", `lowerdir=${upper}:${lower}`, merged]);
    expect(mount.exitCode).toBe(0);
    try {
      expect(readdirSync(join(merged, "a"))).toEqual(["keep"]);
      expect(readdirSync(join(merged, "b"))).toEqual(["new"]);
    } finally {
      Bun.spawnSync(["umount", merged]);
    }
  });
});

describe("hostile layers are refused and leave nothing", () => {
  test("a path climbing out of the layer", async () => {
    const { error } = await refused([{ name: "ok", content: "x" }, { name: "../escaped", content: "evil" }]);
    expect(error.message).toContain("points outside the layer");
    expect(existsSync(join(work, "escaped"))).toBe(false);
  });

  test("a file written through a symbolic link to elsewhere", async () => {
    const outside = join(work, "outside");
    mkdirSync(outside, { recursive: true });
    const { error } = await refused([{ name: "link", type: "symlink", linkname: outside }, { name: "link/pwned", content: "evil" }]);
    expect(error.message).toContain("goes through the symbolic link link");
    expect(readdirSync(outside)).toEqual([]);
  });

  test("a device file", async () => {
    const { error } = await refused([{ name: "dev/sda", type: "character-device" }]);
    expect(error.message).toContain("is a device file");
  });

  test("a hard link to something the layer does not hold", async () => {
    const { error } = await refused([{ name: "shadow", type: "link", linkname: "../../etc/shadow" }]);
    expect(error.message).toContain("points outside the layer");
    const missing = await refused([{ name: "x", type: "link", linkname: "nothing-here" }]);
    expect(missing.error.message).toContain("not a file of this layer");
  });

  test("files over the size limit and too many entries", async () => {
    const target = fresh();
    const big = await unpackLayer(bytes(await tarball([{ name: "big", content: "x".repeat(5000) }])), target, { maxFileBytes: 1000 }).catch((failure: ShoalError) => failure);
    expect(String(big)).toContain("over the limit of 1000");
    expect(existsSync(target)).toBe(false);
    const many = await unpackLayer(bytes(await tarball(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}` })))), target, { maxEntries: 10 }).catch((failure: ShoalError) => failure);
    expect(String(many)).toContain("more than 10 entries");
    expect(existsSync(target)).toBe(false);
  });

  test("a corrupt compressed stream", async () => {
    const data = await tarball(basic);
    data[40] = data[40]! ^ 0xff;
    data[41] = data[41]! ^ 0xff;
    const target = fresh();
    const error = await unpackLayer(bytes(data), target).catch((failure: ShoalError) => failure);
    expect(error).toBeInstanceOf(ShoalError);
    expect(existsSync(target)).toBe(false);
  });

  test("an existing target directory is not unpacked into", async () => {
    const target = fresh();
    mkdirSync(target);
    writeFileSync(join(target, "mine"), "keep");
    const error = await unpackLayer(bytes(await tarball(basic)), target).catch((failure: ShoalError) => failure);
    expect((error as ShoalError).code).toBe("already_exists");
    expect(readFileSync(join(target, "mine"), "utf8")).toBe("keep");
  });
});
