import { randomBytes } from "node:crypto";
import { ShoalError } from "../lib/index.ts";

/** The prefix of every unlock key and its format version. */
export const UNLOCK_KEY_PREFIX = "SWMKEY-1-";
/** Bytes of secret in an unlock key. */
export const UNLOCK_KEY_BYTES = 32;
/** Bytes of a data encryption key (DEK) for raft data. */
export const DATA_KEY_BYTES = 32;

/** A new unlock key: `SWMKEY-1-` and 32 random bytes in unpadded standard base64, as SwarmKit prints them. */
export function generateUnlockKey(random: (size: number) => Uint8Array = randomBytes): string {
  return UNLOCK_KEY_PREFIX + Buffer.from(random(UNLOCK_KEY_BYTES).subarray(0, UNLOCK_KEY_BYTES)).toString("base64").replace(/=+$/, "");
}

/** The 32 secret bytes of an unlock key; refuses anything else (padding is tolerated). */
export function parseUnlockKey(unlockKey: string): Uint8Array {
  const text = typeof unlockKey === "string" ? unlockKey.trim() : "";
  const body = text.startsWith(UNLOCK_KEY_PREFIX) ? text.slice(UNLOCK_KEY_PREFIX.length) : null;
  if (body === null || !/^[A-Za-z0-9+/]{43}=?$/.test(body)) {
    throw new ShoalError("invalid_argument", `invalid unlock key format: expected ${UNLOCK_KEY_PREFIX} followed by 43 base64 characters, as "shoal swarm unlock-key" prints it`);
  }
  const bytes = new Uint8Array(Buffer.from(body, "base64"));
  if (bytes.length !== UNLOCK_KEY_BYTES) throw new ShoalError("invalid_argument", "invalid unlock key format: it must hold 32 bytes");
  return bytes;
}

/** A new data encryption key for the raft log and snapshots: 32 random bytes. */
export function generateDataKey(random: (size: number) => Uint8Array = randomBytes): Uint8Array {
  return Uint8Array.from(random(DATA_KEY_BYTES).subarray(0, DATA_KEY_BYTES));
}
