import type { RootDatabase } from "lmdb";
import { ShoalError } from "../lib/index.ts";
import type { Digest } from "./digest.ts";

/** What the engine knows of one image (its ID is the digest of its config). */
export interface ImageRecord {
  ID: Digest;
  RepoTags: string[];
  RepoDigests: string[];
  Created: string;
  Architecture: string;
  Os: string;
  /** The image config's `config` (Env, Entrypoint, Cmd, WorkingDir, User, ExposedPorts…). */
  Config: Record<string, unknown>;
  /** Diff IDs of the layers, bottom first. */
  Layers: Digest[];
  /** Bytes of the unpacked layers' tars. */
  Size: number;
}

/** Adds `:latest` to a name without a tag or digest, as docker does. */
export function normalizeTag(reference: string): string {
  const lastSlash = reference.lastIndexOf("/");
  const name = reference.slice(lastSlash + 1);
  return name.includes(":") || name.includes("@") ? reference : `${reference}:latest`;
}

const IMAGE_PREFIX = "image/";
const TAG_PREFIX = "tag/";

/** Image records and tags in the engine's database. */
export class ImageStore {
  readonly #db: RootDatabase<unknown, string>;

  constructor(db: RootDatabase<unknown, string>) {
    this.#db = db;
  }

  /** Stores an image and points each of its tags at it (moving a tag off any other image). */
  async put(record: ImageRecord): Promise<void> {
    const displaced: ImageRecord[] = [];
    for (const tag of record.RepoTags) {
      const previous = this.#db.get(TAG_PREFIX + tag) as Digest | undefined;
      if (previous && previous !== record.ID) {
        const other = this.#db.get(IMAGE_PREFIX + previous) as ImageRecord | undefined;
        if (other) displaced.push({ ...other, RepoTags: other.RepoTags.filter((name) => name !== tag) });
      }
    }
    const existing = this.#db.get(IMAGE_PREFIX + record.ID) as ImageRecord | undefined;
    const merged = existing ? { ...record, RepoTags: [...new Set([...existing.RepoTags, ...record.RepoTags])] } : record;
    await this.#db.transaction(() => {
      for (const other of displaced) this.#db.put(IMAGE_PREFIX + other.ID, other);
      this.#db.put(IMAGE_PREFIX + merged.ID, merged);
      for (const tag of record.RepoTags) this.#db.put(TAG_PREFIX + tag, record.ID);
    });
    await this.#db.flushed;
  }

  /** Takes a tag off its image. */
  async untag(tag: string): Promise<void> {
    const id = this.#db.get(TAG_PREFIX + tag) as Digest | undefined;
    if (!id) throw new ShoalError("not_found", `No such image: ${tag}`);
    const image = this.#db.get(IMAGE_PREFIX + id) as ImageRecord | undefined;
    await this.#db.transaction(() => {
      this.#db.remove(TAG_PREFIX + tag);
      if (image) this.#db.put(IMAGE_PREFIX + id, { ...image, RepoTags: image.RepoTags.filter((name) => name !== tag) });
    });
    await this.#db.flushed;
  }

  /** Deletes an image record and its tags. */
  async remove(id: Digest): Promise<void> {
    const image = this.#db.get(IMAGE_PREFIX + id) as ImageRecord | undefined;
    await this.#db.transaction(() => {
      for (const tag of image?.RepoTags ?? []) this.#db.remove(TAG_PREFIX + tag);
      this.#db.remove(IMAGE_PREFIX + id);
    });
    await this.#db.flushed;
  }

  /** The image with exactly this ID, if stored. */
  find(id: Digest): ImageRecord | undefined {
    return this.#db.get(IMAGE_PREFIX + id) as ImageRecord | undefined;
  }

  /** Finds an image by full ID, `sha256:` prefix of 12+ hex digits, or tag. */
  get(reference: string): ImageRecord {
    const byTag = this.#db.get(TAG_PREFIX + normalizeTag(reference)) as Digest | undefined;
    const id = byTag ?? (reference.startsWith("sha256:") ? reference : `sha256:${reference}`);
    const direct = this.#db.get(IMAGE_PREFIX + id) as ImageRecord | undefined;
    if (direct) return direct;
    if (/^(sha256:)?[0-9a-f]{12,64}$/.test(reference)) {
      const matches = this.list().filter((image) => image.ID.startsWith(id));
      if (matches.length === 1) return matches[0]!;
      if (matches.length > 1) throw new ShoalError("invalid_argument", `image ${reference} is ambiguous (${matches.length} matches found)`);
    }
    throw new ShoalError("not_found", `No such image: ${reference}`);
  }

  /** Every image, newest first. */
  list(): ImageRecord[] {
    const images: ImageRecord[] = [];
    for (const { value } of this.#db.getRange({ start: IMAGE_PREFIX, end: `${IMAGE_PREFIX}\uffff` })) images.push(value as ImageRecord);
    return images.sort((a, b) => b.Created.localeCompare(a.Created));
  }
}
