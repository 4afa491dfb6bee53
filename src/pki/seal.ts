import { randomBytes, timingSafeEqual } from "node:crypto";
import { ShoalError } from "../lib/index.ts";
import { parseUnlockKey } from "./unlock-key.ts";

/** What a sealed secret is; bound into the envelope so one cannot pass for the other. */
export type SealPurpose = "node-key" | "data-key";

/** The message a wrong unlock key gets. */
export const INVALID_UNLOCK_KEY_MESSAGE = "invalid unlock key";

const VERSION = 1;
const SALT_BYTES = 16;
const CHECK_BYTES = 16;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + SALT_BYTES + CHECK_BYTES + NONCE_BYTES;

/**
 * Encrypts `plaintext` under a key-encryption key derived from the unlock key (HKDF-SHA256 with a random salt, then
 * AES-256-GCM with a random nonce). Envelope: version 1 | salt 16 | key check 16 | nonce 12 | ciphertext and tag.
 * The key check (also HKDF-derived) tells a wrong unlock key apart from tampered data.
 */
export async function sealSecret(
  plaintext: Uint8Array,
  unlockKey: string,
  purpose: SealPurpose,
  random: (size: number) => Uint8Array = randomBytes,
): Promise<Uint8Array> {
  const salt = copy(random(SALT_BYTES).subarray(0, SALT_BYTES));
  const nonce = copy(random(NONCE_BYTES).subarray(0, NONCE_BYTES));
  const { key, check } = await deriveKeys(parseUnlockKey(unlockKey), salt, purpose);
  const header = new Uint8Array(HEADER_BYTES);
  header.set([VERSION], 0);
  header.set(salt, 1);
  header.set(check, 1 + SALT_BYTES);
  header.set(nonce, 1 + SALT_BYTES + CHECK_BYTES);
  const ciphertext = await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce, additionalData: aad(header, purpose) }, key, copy(plaintext));
  const envelope = new Uint8Array(HEADER_BYTES + ciphertext.byteLength);
  envelope.set(header, 0);
  envelope.set(new Uint8Array(ciphertext), HEADER_BYTES);
  return envelope;
}

/** Decrypts a {@link sealSecret} envelope: permission_denied "invalid unlock key" for a wrong key, failed_precondition when tampered with. */
export async function openSealedSecret(envelope: Uint8Array, unlockKey: string, purpose: SealPurpose): Promise<Uint8Array> {
  if (envelope.length < HEADER_BYTES + TAG_BYTES || envelope[0] !== VERSION) {
    throw new ShoalError("failed_precondition", `the sealed ${purpose} is corrupt: not a version ${VERSION} sealed envelope`);
  }
  const header = copy(envelope.subarray(0, HEADER_BYTES));
  const salt = header.subarray(1, 1 + SALT_BYTES);
  const storedCheck = header.subarray(1 + SALT_BYTES, 1 + SALT_BYTES + CHECK_BYTES);
  const nonce = header.subarray(1 + SALT_BYTES + CHECK_BYTES, HEADER_BYTES);
  const { key, check } = await deriveKeys(parseUnlockKey(unlockKey), salt, purpose);
  if (!timingSafeEqual(check, storedCheck)) throw new ShoalError("permission_denied", INVALID_UNLOCK_KEY_MESSAGE);
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: nonce, additionalData: aad(header, purpose) },
      key,
      copy(envelope.subarray(HEADER_BYTES)),
    );
    return new Uint8Array(plaintext);
  } catch (error) {
    throw new ShoalError("failed_precondition", `the sealed ${purpose} is corrupt: it fails authentication (tampered with or damaged)`, { cause: error });
  }
}

/** Opens with one unlock key and seals again with another (unlock key rotation). */
export async function resealSecret(envelope: Uint8Array, currentUnlockKey: string, newUnlockKey: string, purpose: SealPurpose): Promise<Uint8Array> {
  return sealSecret(await openSealedSecret(envelope, currentUnlockKey, purpose), newUnlockKey, purpose);
}

async function deriveKeys(secret: Uint8Array, salt: Uint8Array<ArrayBuffer>, purpose: SealPurpose): Promise<{ key: CryptoKey; check: Uint8Array }> {
  const base = await crypto.subtle.importKey("raw", copy(secret), "HKDF", false, ["deriveKey", "deriveBits"]);
  const info = (label: string) => new TextEncoder().encode(`shoal/seal/v${VERSION}/${label}`);
  // The purpose goes into the cipher key (and the AAD), not the key check: a swapped envelope reads as corrupt, not as a wrong key.
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt, info: info(`aes-256-gcm/${purpose}`) },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
  const check = new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info: info("key-check") }, base, CHECK_BYTES * 8));
  return { key, check };
}

function aad(header: Uint8Array, purpose: SealPurpose): Uint8Array<ArrayBuffer> {
  const label = new TextEncoder().encode(purpose);
  const data = new Uint8Array(header.length + label.length);
  data.set(header, 0);
  data.set(label, header.length);
  return data;
}

/** A copy backed by a plain ArrayBuffer, the only kind WebCrypto's types accept. */
function copy(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(bytes);
}
