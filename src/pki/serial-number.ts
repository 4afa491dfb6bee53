import { randomBytes } from "node:crypto";

/** A fresh certificate serial number: 16 random bytes as hex, always positive and 16 bytes long. */
export function newSerialNumber(random: (size: number) => Uint8Array = randomBytes): string {
  const bytes = Uint8Array.from(random(16));
  bytes[0] = (bytes[0]! & 0x3f) | 0x40;
  return Buffer.from(bytes).toString("hex");
}
