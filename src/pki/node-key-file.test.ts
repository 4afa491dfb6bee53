import { expect, test } from "bun:test";
import { caught } from "../../test/support/pki-fixtures.ts";
import { createNodeKeyAndCsr } from "./node-csr.ts";
import { isNodeSecretsSealed, openNodeSecrets, sealNodeSecrets } from "./node-key-file.ts";
import { generateDataKey, generateUnlockKey } from "./unlock-key.ts";

async function secrets(withDataKey = true) {
  const { keyPem } = await createNodeKeyAndCsr();
  return { keyPem, dataKey: withDataKey ? generateDataKey() : null };
}

test("without autolock the file says plainly that the key and the DEK are not sealed", async () => {
  const plain = await secrets();
  const text = await sealNodeSecrets(plain, null);
  expect(text).toStartWith(plain.keyPem);
  expect(text).toContain("-----BEGIN SHOAL DATA KEY-----");
  expect(isNodeSecretsSealed(text)).toBe(false);
  expect(await openNodeSecrets(text, null)).toEqual(plain);
  expect(await openNodeSecrets(text, generateUnlockKey())).toEqual(plain);
});

test("with autolock the key and the DEK are both sealed and open only with the unlock key", async () => {
  const plain = await secrets();
  const unlockKey = generateUnlockKey();
  const text = await sealNodeSecrets(plain, unlockKey);
  expect(text).toStartWith("-----BEGIN SHOAL SEALED PRIVATE KEY-----\n");
  expect(text).toContain("-----BEGIN SHOAL SEALED DATA KEY-----");
  expect(text).not.toContain("BEGIN PRIVATE KEY");
  expect(isNodeSecretsSealed(text)).toBe(true);
  expect(await openNodeSecrets(text, unlockKey)).toEqual(plain);
});

test("a sealed file without an unlock key says the swarm is locked", async () => {
  const text = await sealNodeSecrets(await secrets(), generateUnlockKey());
  const error = await caught(() => openNodeSecrets(text, null));
  expect(error.code).toBe("unavailable");
  expect(error.message).toBe('Swarm is encrypted and needs to be unlocked before it can be used. Please use "docker swarm unlock" to unlock it.');
});

test("a sealed file with the wrong unlock key is refused as an invalid unlock key", async () => {
  const text = await sealNodeSecrets(await secrets(), generateUnlockKey());
  const error = await caught(() => openNodeSecrets(text, generateUnlockKey()));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toBe("invalid unlock key");
});

test("a node without a DEK stores the key alone", async () => {
  const plain = await secrets(false);
  const unlockKey = generateUnlockKey();
  expect(await openNodeSecrets(await sealNodeSecrets(plain, unlockKey), unlockKey)).toEqual(plain);
  expect(await sealNodeSecrets(plain, null)).toBe(plain.keyPem);
});

test("a file mixing sealed and plain blocks, or holding two keys, is refused", async () => {
  const plain = await secrets();
  const unlockKey = generateUnlockKey();
  const sealedText = await sealNodeSecrets(plain, unlockKey);
  const plainText = await sealNodeSecrets(plain, null);
  const sealedKeyOnly = sealedText.slice(0, sealedText.indexOf("-----BEGIN SHOAL SEALED DATA KEY"));
  const plainDataKey = plainText.slice(plainText.indexOf("-----BEGIN SHOAL DATA KEY"));
  const mixed = await caught(() => openNodeSecrets(sealedKeyOnly + plainDataKey, unlockKey));
  expect(mixed.message).toBe("not a node key file: the key and the data key must both be sealed or both be plain");
  const doubled = await caught(() => openNodeSecrets(plain.keyPem + plainText, null));
  expect(doubled.message).toBe("not a node key file: expected one private key block and at most one data key block");
  expect((await caught(() => openNodeSecrets("", null))).code).toBe("invalid_argument");
});

test("a DEK of the wrong size is refused when writing", async () => {
  const plain = await secrets();
  const error = await caught(() => sealNodeSecrets({ ...plain, dataKey: new Uint8Array(16) }, null));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toBe("a data key is 32 bytes, not 16");
});
