import { chmodSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, rmSync, symlinkSync, createWriteStream, existsSync } from "node:fs";
import { join, posix } from "node:path";
import { createHash } from "node:crypto";
import { Readable, Transform } from "node:stream";
import { finished } from "node:stream/promises";
import { once } from "node:events";
import { createGunzip, createZstdDecompress } from "node:zlib";
import { extract, type Header } from "tar-stream";

/** One member of the tar being read: its header and its bytes. */
interface Entry extends AsyncIterable<Uint8Array> {
  header: Header;
  resume(): unknown;
}
import { makeFifo, makeWhiteout, setXattr } from "../../native/index.ts";
import { ShoalError } from "../lib/index.ts";

/** Bounds on what one layer may contain. */
export interface LayerLimits {
  maxEntries: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

/** Generous for real images, fatal for a decompression bomb. */
export const DEFAULT_LAYER_LIMITS: LayerLimits = {
  maxEntries: 2_000_000,
  maxFileBytes: 64 * 1024 ** 3,
  maxTotalBytes: 256 * 1024 ** 3,
};

/** What a layer held. */
export interface UnpackedLayer {
  entries: number;
  bytes: number;
  /** sha256 of the uncompressed tar: the layer's diff ID, as image configs list it. */
  diffId: string;
}

const WHITEOUT_PREFIX = ".wh.";
const OPAQUE_MARKER = ".wh..wh..opq";

/** Reads the compression of a layer from its first bytes: gzip, zstd, or none. */
export function detectCompression(head: Uint8Array): "gzip" | "zstd" | "none" {
  if (head[0] === 0x1f && head[1] === 0x8b) return "gzip";
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return "zstd";
  return "none";
}

/** A tar member's path inside the layer, or an error when it would land outside it. */
export function layerPath(name: string): string {
  const normalized = posix.normalize(name.replace(/^\/+/, "")).replace(/\/+$/, "");
  if (normalized === "." || normalized === "") return "";
  if (normalized === ".." || normalized.startsWith("../")) throw refuse(`${JSON.stringify(name)} points outside the layer`);
  return normalized;
}

function refuse(reason: string): ShoalError {
  return new ShoalError("invalid_argument", `image layer refused: ${reason}`);
}

/**
 * Unpacks one image layer (a tar, optionally gzip or zstd) into `target`, a directory it creates,
 * as an overlayfs lower directory: `.wh.<name>` becomes a whiteout device, `.wh..wh..opq` marks
 * its directory opaque. Paths outside the layer, paths through symbolic links, device files and
 * sizes over the limits are refused; on any failure nothing of the layer is kept.
 */
export async function unpackLayer(input: AsyncIterable<Uint8Array>, target: string, limits: Partial<LayerLimits> = {}): Promise<UnpackedLayer> {
  const bounds = { ...DEFAULT_LAYER_LIMITS, ...limits };
  if (existsSync(target)) throw new ShoalError("already_exists", `layer directory ${target} already exists`);
  mkdirSync(target, { recursive: false, mode: 0o755 });
  try {
    const hash = createHash("sha256");
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const tar = await decompressed(input);
    tar.on("error", (error) => hashing.destroy(error));
    const contents = await extractInto(tar.pipe(hashing), target, bounds);
    // Drain whatever follows the tar's end marker so the digest covers the whole stream.
    for await (const _ of hashing) void _;
    return { ...contents, diffId: `sha256:${hash.digest("hex")}` };
  } catch (error) {
    rmSync(target, { recursive: true, force: true });
    if (error instanceof ShoalError) throw error;
    throw refuse(error instanceof Error ? error.message : String(error));
  }
}

async function decompressed(input: AsyncIterable<Uint8Array>): Promise<Readable> {
  const iterator = input[Symbol.asyncIterator]();
  const first = await iterator.next();
  const head = first.done ? new Uint8Array(0) : first.value;
  const source = Readable.from(
    (async function* () {
      if (!first.done) yield head;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })(),
  );
  const compression = detectCompression(head);
  if (compression === "none") return source;
  const decoder = compression === "gzip" ? createGunzip() : createZstdDecompress();
  source.on("error", (error) => decoder.destroy(error));
  return source.pipe(decoder);
}

async function extractInto(tar: Readable, target: string, limits: LayerLimits): Promise<Omit<UnpackedLayer, "diffId">> {
  const extractor = extract();
  tar.on("error", (error) => extractor.destroy(error));
  tar.pipe(extractor);
  let entries = 0;
  let bytes = 0;
  const directoryTimes: [string, Date][] = [];
  for await (const entry of extractor as unknown as AsyncIterable<Entry>) {
    const header = entry.header;
    if (++entries > limits.maxEntries) throw refuse(`more than ${limits.maxEntries} entries`);
    const size = header.size ?? 0;
    if (size > limits.maxFileBytes) throw refuse(`${header.name} is ${size} bytes, over the limit of ${limits.maxFileBytes}`);
    bytes += size;
    if (bytes > limits.maxTotalBytes) throw refuse(`more than ${limits.maxTotalBytes} bytes in all`);
    const relative = layerPath(header.name);
    const path = relative === "" ? target : join(target, relative);
    if (relative !== "") ensureParents(target, posix.dirname(relative));
    const base = posix.basename(relative);
    if (base === OPAQUE_MARKER) {
      setXattr(join(target, posix.dirname(relative)), "trusted.overlay.opaque", "y");
      entry.resume();
      continue;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const hidden = join(target, posix.dirname(relative), base.slice(WHITEOUT_PREFIX.length));
      rmSync(hidden, { recursive: true, force: true });
      makeWhiteout(hidden);
      entry.resume();
      continue;
    }
    await writeEntry(entry, header, path, target);
    if (header.type === "directory" && header.mtime) directoryTimes.push([path, header.mtime]);
  }
  // Directory times last: creating their children changed them.
  for (const [path, mtime] of directoryTimes.reverse()) lutimesSync(path, mtime, mtime);
  return { entries, bytes };
}

/** Creates the missing parents of `relative` and refuses any existing part that is not a real directory. */
function ensureParents(root: string, relative: string): void {
  if (relative === "." || relative === "") return;
  let current = root;
  for (const part of relative.split("/")) {
    current = join(current, part);
    let stat;
    try {
      stat = lstatSync(current);
    } catch {
      mkdirSync(current, { mode: 0o755 });
      continue;
    }
    if (stat.isSymbolicLink()) throw refuse(`${relative} goes through the symbolic link ${part}`);
    if (!stat.isDirectory()) throw refuse(`${relative} goes through ${part}, which is not a directory`);
  }
}

/** Removes what is at `path` unless it is a directory that may stay one. */
function clear(path: string, keepDirectory: boolean): void {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (keepDirectory && stat.isDirectory()) return;
  rmSync(path, { recursive: true, force: true });
}

async function writeEntry(entry: Entry, header: Header, path: string, root: string): Promise<void> {
  const mode = (header.mode ?? 0o644) & 0o7777;
  switch (header.type) {
    case "directory":
      clear(path, true);
      if (!existsSync(path)) mkdirSync(path, { mode });
      entry.resume();
      break;
    case "file":
    case "contiguous-file":
      clear(path, false);
      await writeFile(entry, path, mode);
      break;
    case "symlink":
      clear(path, false);
      symlinkSync(header.linkname ?? "", path);
      entry.resume();
      break;
    case "link": {
      const source = join(root, layerPath(header.linkname ?? ""));
      ensureParents(root, posix.dirname(layerPath(header.linkname ?? "")));
      const stat = lstatSync(source, { throwIfNoEntry: false });
      if (!stat || stat.isDirectory()) throw refuse(`hard link ${header.name} points to ${header.linkname}, which is not a file of this layer`);
      clear(path, false);
      linkSync(source, path);
      entry.resume();
      return;
    }
    case "fifo":
      clear(path, false);
      makeFifo(path, mode);
      entry.resume();
      break;
    case "character-device":
    case "block-device":
      throw refuse(`${header.name} is a device file; image layers may not create devices`);
    default:
      throw refuse(`${header.name} has the unsupported tar entry type ${header.type}`);
  }
  lchownSync(path, header.uid ?? 0, header.gid ?? 0);
  if (header.type !== "symlink") chmodSync(path, mode);
  if (header.mtime && header.type !== "directory") lutimesSync(path, header.mtime, header.mtime);
}

/** Streams a tar member into a new file (never following a link: the path was cleared and is opened exclusively). */
async function writeFile(entry: Entry, path: string, mode: number): Promise<void> {
  const out = createWriteStream(path, { flags: "wx", mode });
  try {
    for await (const chunk of entry) {
      if (!out.write(chunk)) await once(out, "drain");
    }
  } finally {
    out.end();
    await finished(out);
  }
}
