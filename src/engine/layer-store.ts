import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { ShoalError } from "../lib/index.ts";
import { digestHex, type Digest } from "./digest.ts";
import { unpackLayer, type LayerLimits } from "./layer-unpack.ts";

/**
 * Unpacked layers under `<root>/<diffID hex>/`, each unpacked once and shared by every image that
 * uses it; the directory appears only once the whole layer is unpacked and its bytes matched the
 * diff ID the image config promised. Concurrent requests for one layer share one unpacking.
 */
export class LayerStore {
  readonly root: string;
  readonly #unpacking = new Map<Digest, Promise<string>>();

  constructor(root: string) {
    this.root = root;
    mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  /** The directory of an unpacked layer. */
  path(diffId: Digest): string {
    return join(this.root, digestHex(diffId));
  }

  has(diffId: Digest): boolean {
    return existsSync(this.path(diffId));
  }

  /** The layer's directory, unpacking it from `open()` (its compressed or plain tar) when it is not here yet. */
  ensure(diffId: Digest, open: () => AsyncIterable<Uint8Array>, limits?: Partial<LayerLimits>): Promise<string> {
    if (this.has(diffId)) return Promise.resolve(this.path(diffId));
    let unpacking = this.#unpacking.get(diffId);
    if (!unpacking) {
      unpacking = this.#unpack(diffId, open(), limits).finally(() => this.#unpacking.delete(diffId));
      this.#unpacking.set(diffId, unpacking);
    }
    return unpacking;
  }

  async #unpack(diffId: Digest, data: AsyncIterable<Uint8Array>, limits?: Partial<LayerLimits>): Promise<string> {
    const temp = join(this.root, `.unpacking-${digestHex(diffId).slice(0, 12)}-${randomBytes(4).toString("hex")}`);
    const unpacked = await unpackLayer(data, temp, limits);
    if (unpacked.diffId !== diffId) {
      rmSync(temp, { recursive: true, force: true });
      throw new ShoalError("invalid_argument", `layer ${diffId} does not match its diff ID (its tar hashes to ${unpacked.diffId}); nothing was kept`);
    }
    renameSync(temp, this.path(diffId));
    return this.path(diffId);
  }
}
