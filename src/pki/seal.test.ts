import { expect, test } from "bun:test";
import { caught } from "../../test/support/pki-fixtures.ts";
import { openSealedSecret, resealSecret, sealSecret } from "./seal.ts";
import { generateUnlockKey } from "./unlock-key.ts";

const SECRET = new TextEncoder().encode("the node's private key");

test("a sealed secret opens with the same unlock key and hides the plaintext", async () => {
  const key = generateUnlockKey();
  const sealed = await sealSecret(SECRET, key, "node-key");
  expect(Buffer.from(sealed).includes(Buffer.from(SECRET))).toBe(false);
  expect(sealed.length).toBe(1 + 16 + 16 + 12 + SECRET.length + 16);
  expect(await openSealedSecret(sealed, key, "node-key")).toEqual(SECRET);
});

test("sealing twice gives different envelopes (fresh salt and nonce)", async () => {
  const key = generateUnlockKey();
  const [a, b] = [await sealSecret(SECRET, key, "node-key"), await sealSecret(SECRET, key, "node-key")];
  expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
});

test("a wrong unlock key is refused as an invalid unlock key", async () => {
  const sealed = await sealSecret(SECRET, generateUnlockKey(), "node-key");
  const error = await caught(() => openSealedSecret(sealed, generateUnlockKey(), "node-key"));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toBe("invalid unlock key");
});

test("tampering with the ciphertext, the nonce or the tag is detected", async () => {
  const key = generateUnlockKey();
  const sealed = await sealSecret(SECRET, key, "node-key");
  for (const offset of [1 + 16 + 16, 1 + 16 + 16 + 12 + 3, sealed.length - 1]) {
    const tampered = sealed.slice();
    tampered[offset]! ^= 0x80;
    const error = await caught(() => openSealedSecret(tampered, key, "node-key"));
    expect(error.code).toBe("failed_precondition");
    expect(error.message).toBe("the sealed node-key is corrupt: it fails authentication (tampered with or damaged)");
  }
});

test("a sealed data key cannot be opened as a node key", async () => {
  const key = generateUnlockKey();
  const sealed = await sealSecret(SECRET, key, "data-key");
  const error = await caught(() => openSealedSecret(sealed, key, "node-key"));
  expect(error.code).toBe("failed_precondition");
});

test("a truncated or unknown-version envelope is refused as corrupt", async () => {
  const key = generateUnlockKey();
  const sealed = await sealSecret(SECRET, key, "data-key");
  for (const bad of [sealed.subarray(0, 40), Uint8Array.from([2, ...sealed.subarray(1)])]) {
    const error = await caught(() => openSealedSecret(bad, key, "data-key"));
    expect(error.code).toBe("failed_precondition");
    expect(error.message).toBe("the sealed data-key is corrupt: not a version 1 sealed envelope");
  }
});

test("re-sealing moves a secret to a new unlock key and the old key stops working", async () => {
  const [oldKey, newKey] = [generateUnlockKey(), generateUnlockKey()];
  const resealed = await resealSecret(await sealSecret(SECRET, oldKey, "data-key"), oldKey, newKey, "data-key");
  expect(await openSealedSecret(resealed, newKey, "data-key")).toEqual(SECRET);
  expect((await caught(() => openSealedSecret(resealed, oldKey, "data-key"))).message).toBe("invalid unlock key");
});
