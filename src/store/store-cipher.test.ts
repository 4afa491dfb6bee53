import { expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { dataKeyCipher } from "./store-cipher.ts";

test("the data-key cipher opens what it sealed, and refuses tampered data or another key", () => {
  const cipher = dataKeyCipher(randomBytes(32));
  const plain = new TextEncoder().encode("hunter2");
  const sealed = cipher.seal(plain);
  expect(Buffer.from(sealed).includes(Buffer.from(plain))).toBe(false);
  expect(cipher.open(sealed)).toEqual(plain);
  expect(Buffer.from(cipher.seal(plain)).equals(Buffer.from(sealed))).toBe(false); // a fresh nonce each time
  const tampered = Uint8Array.from(sealed);
  tampered[tampered.length - 1]! ^= 1;
  expect(() => cipher.open(tampered)).toThrow("fails authentication");
  expect(() => dataKeyCipher(randomBytes(32)).open(sealed)).toThrow("fails authentication");
  expect(() => dataKeyCipher(randomBytes(16))).toThrow("the raft data key must be 32 bytes, not 16");
});
