import { ShoalError } from "../lib/index.ts";

/** A content digest as registries and image configs write it: `sha256:<64 hex>`. */
export type Digest = `sha256:${string}`;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Checks that `value` is a sha256 digest, refusing anything else (other algorithms, bad hex). */
export function parseDigest(value: string): Digest {
  if (!DIGEST.test(value)) throw new ShoalError("invalid_argument", `invalid digest ${JSON.stringify(value)}: expected sha256:<64 hex digits>`);
  return value as Digest;
}

/** The hex part of a digest, as it names files. */
export function digestHex(digest: Digest): string {
  return digest.slice("sha256:".length);
}
