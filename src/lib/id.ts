import { randomBytes } from "node:crypto";

/** Length of a swarm object ID: 17 random bytes written in base 36, like SwarmKit's. */
export const ID_LENGTH = 25;

/** Writes `bytes` as a base-36 number left-padded with zeros to `width` characters. */
export function base36(bytes: Uint8Array, width: number): string {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value.toString(36).padStart(width, "0");
}

/**
 * A new random object ID: 25 lowercase base-36 characters. As SwarmKit does, 17 random bytes get
 * their top bit set (so the number always has 26 base-36 digits) and the first digit is dropped.
 */
export function newId(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = Uint8Array.from(random(17));
  bytes[0]! |= 0x80;
  return base36(bytes, 0).slice(1, ID_LENGTH + 1);
}

/** True when `value` has the shape of an object ID. */
export function isId(value: string): boolean {
  return value.length === ID_LENGTH && /^[0-9a-z]+$/.test(value);
}
