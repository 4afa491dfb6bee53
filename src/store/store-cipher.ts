import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { ShoalError } from "../lib/index.ts";
import type { StorageCipher } from "../raft/index.ts";

/** Seals and opens secret data at rest; the same shape as raft storage's cipher (the raft data key). */
export type StoreCipher = StorageCipher;

const VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A {@link StoreCipher} with AES-256-GCM under the raft data key (32 bytes, `generateDataKey` in
 * pki). Envelope: version 1 | nonce 12 | tag 16 | ciphertext. Synchronous, since entries apply synchronously.
 */
export function dataKeyCipher(key: Uint8Array, random: (size: number) => Uint8Array = randomBytes): StoreCipher {
  if (key.length !== 32) throw new ShoalError("invalid_argument", `the raft data key must be 32 bytes, not ${key.length}`);
  const keyBytes = Uint8Array.from(key);
  return {
    seal(plain) {
      const nonce = Uint8Array.from(random(NONCE_BYTES).subarray(0, NONCE_BYTES));
      const cipher = createCipheriv("aes-256-gcm", keyBytes, nonce);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      const sealed = new Uint8Array(1 + NONCE_BYTES + TAG_BYTES + body.length);
      sealed[0] = VERSION;
      sealed.set(nonce, 1);
      sealed.set(cipher.getAuthTag(), 1 + NONCE_BYTES);
      sealed.set(body, 1 + NONCE_BYTES + TAG_BYTES);
      return sealed;
    },
    open(sealed) {
      if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== VERSION) {
        throw new ShoalError("failed_precondition", "sealed secret data is corrupt: not a version 1 envelope");
      }
      try {
        const decipher = createDecipheriv("aes-256-gcm", keyBytes, sealed.subarray(1, 1 + NONCE_BYTES));
        decipher.setAuthTag(sealed.subarray(1 + NONCE_BYTES, 1 + NONCE_BYTES + TAG_BYTES));
        return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(1 + NONCE_BYTES + TAG_BYTES)), decipher.final()]));
      } catch (error) {
        throw new ShoalError("failed_precondition", "sealed secret data fails authentication: wrong raft data key, or damaged", { cause: error });
      }
    },
  };
}
