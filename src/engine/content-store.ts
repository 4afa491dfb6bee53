import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { ShoalError } from "../lib/index.ts";
import { digestHex, type Digest } from "./digest.ts";

/**
 * Blobs (manifests, configs, compressed layers) under `<root>/sha256/<hex>`, written only after
 * their bytes hash to the digest they claim: a mismatch keeps nothing. Concurrent writes of one
 * digest share one download.
 */
export class ContentStore {
  readonly root: string;
  readonly #writing = new Map<Digest, Promise<number>>();

  constructor(root: string) {
    this.root = root;
    mkdirSync(join(root, "sha256"), { recursive: true, mode: 0o700 });
    mkdirSync(join(root, "tmp"), { recursive: true, mode: 0o700 });
  }

  /** Where a blob lives. */
  path(digest: Digest): string {
    return join(this.root, "sha256", digestHex(digest));
  }

  has(digest: Digest): boolean {
    return existsSync(this.path(digest));
  }

  /** A stored blob's bytes (for manifests and configs; stream layers instead). */
  read(digest: Digest): Uint8Array {
    try {
      return readFileSync(this.path(digest));
    } catch {
      throw new ShoalError("not_found", `blob ${digest} is not in the content store`);
    }
  }

  /** A stored blob as a stream of chunks. */
  async *stream(digest: Digest): AsyncIterable<Uint8Array> {
    if (!this.has(digest)) throw new ShoalError("not_found", `blob ${digest} is not in the content store`);
    yield* Bun.file(this.path(digest)).stream();
  }

  /**
   * Stores the bytes of `data` under `expected`, verifying the digest (and `size` when given)
   * as they arrive. Resolves with the size; a blob already stored is not written again.
   */
  write(expected: Digest, data: () => AsyncIterable<Uint8Array>, options: { size?: number; maxBytes?: number } = {}): Promise<number> {
    if (this.has(expected)) return Promise.resolve(Bun.file(this.path(expected)).size);
    let writing = this.#writing.get(expected);
    if (!writing) {
      writing = this.#write(expected, data(), options).finally(() => this.#writing.delete(expected));
      this.#writing.set(expected, writing);
    }
    return writing;
  }

  async #write(expected: Digest, data: AsyncIterable<Uint8Array>, options: { size?: number; maxBytes?: number }): Promise<number> {
    const temp = join(this.root, "tmp", `${digestHex(expected)}.${randomBytes(6).toString("hex")}`);
    const hash = createHash("sha256");
    const limit = options.maxBytes ?? options.size ?? Number.POSITIVE_INFINITY;
    const fd = openSync(temp, "wx", 0o600);
    let size = 0;
    try {
      for await (const chunk of data) {
        size += chunk.length;
        if (size > limit) throw new ShoalError("invalid_argument", `blob ${expected} is larger than the ${limit} bytes expected; nothing was kept`);
        hash.update(chunk);
        for (let offset = 0; offset < chunk.length; ) offset += writeSync(fd, chunk, offset);
      }
      const actual = `sha256:${hash.digest("hex")}`;
      if (actual !== expected) throw new ShoalError("invalid_argument", `blob ${expected} does not match its digest (its bytes hash to ${actual}); nothing was kept`);
      if (options.size !== undefined && size !== options.size) {
        throw new ShoalError("invalid_argument", `blob ${expected} has ${size} bytes where ${options.size} were announced; nothing was kept`);
      }
      fsyncSync(fd);
      closeSync(fd);
      renameSync(temp, this.path(expected));
      const dir = openSync(join(this.root, "sha256"), "r");
      fsyncSync(dir);
      closeSync(dir);
      return size;
    } catch (error) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
      rmSync(temp, { force: true });
      throw error;
    }
  }
}
