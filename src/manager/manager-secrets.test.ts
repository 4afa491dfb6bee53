import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { caught, testCa, testNode } from "../../test/support/pki-fixtures.ts";
import { CERTIFICATE_FILES, SWARM_LOCKED_MESSAGE, certificatesDir, generateDataKey, generateUnlockKey, loadNodeCredentials, saveNodeCredentials, saveRootCaBundle } from "../pki/index.ts";
import { isManagerLocked, openManagerSecrets, sealManagerSecrets, unsealForWorker } from "./manager-secrets.ts";
import { isCaKeySealed, swarmDir, writeCaKey } from "./manager-state.ts";
import { INVALID_KEY_PROVIDED_MESSAGE } from "./unlock-keys.ts";

let dataRoot: string;
beforeEach(() => {
  dataRoot = mkdtempSync(join(tmpdir(), "shoal-manager-secrets-"));
});
afterEach(() => rmSync(dataRoot, { recursive: true, force: true }));

const nodeKeyText = () => readFileSync(join(certificatesDir(dataRoot), CERTIFICATE_FILES.nodeKey), "utf8");
const caKeyText = () => readFileSync(join(swarmDir(dataRoot), "swarm-root-ca.key"), "utf8");

/** A manager's files in clear, as a manager without autolock keeps them. */
async function storedManager() {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock, { role: "manager" });
  const dataKey = generateDataKey();
  mkdirSync(swarmDir(dataRoot), { recursive: true });
  await saveRootCaBundle(dataRoot, root.certificatePem);
  await saveNodeCredentials(dataRoot, { certificatePem: node.certificatePem, keyPem: node.keyPem, dataKey });
  await writeCaKey(dataRoot, root.keyPem);
  return { root, node, dataKey };
}

test("sealed with an unlock key, nothing secret is readable on disk and the manager is locked until given the key", async () => {
  const { root, node, dataKey } = await storedManager();
  expect(await isManagerLocked(dataRoot)).toBe(false);
  const key = generateUnlockKey();
  await sealManagerSecrets(dataRoot, null, key, dataKey);

  expect(await isManagerLocked(dataRoot)).toBe(true);
  expect(await isCaKeySealed(dataRoot)).toBe(true);
  expect(nodeKeyText()).not.toContain("BEGIN PRIVATE KEY");
  expect(caKeyText()).toStartWith("-----BEGIN SHOAL SEALED CA KEY-----\n");
  expect(caKeyText()).not.toContain(root.keyPem.split("\n")[1]!);

  const locked = await caught(() => openManagerSecrets(dataRoot, null));
  expect([locked.code, locked.message]).toEqual(["unavailable", SWARM_LOCKED_MESSAGE]);
  const before = [nodeKeyText(), caKeyText()];
  const wrong = await caught(() => openManagerSecrets(dataRoot, generateUnlockKey()));
  expect([wrong.code, wrong.message]).toEqual(["permission_denied", INVALID_KEY_PROVIDED_MESSAGE]);
  expect([nodeKeyText(), caKeyText()]).toEqual(before); // a wrong key changes nothing

  const opened = await openManagerSecrets(dataRoot, key);
  expect(opened.caKeyPem).toBe(root.keyPem);
  expect(opened.credentials).toMatchObject({ keyPem: node.keyPem, certificatePem: node.certificatePem, dataKey });
});

test("a rotation re-seals for the new key only; turning autolock off stores everything in clear again", async () => {
  const { root, dataKey } = await storedManager();
  const [first, second] = [generateUnlockKey(), generateUnlockKey()];
  await sealManagerSecrets(dataRoot, null, first, dataKey);
  await sealManagerSecrets(dataRoot, first, second, dataKey);
  expect((await caught(() => openManagerSecrets(dataRoot, first))).message).toBe(INVALID_KEY_PROVIDED_MESSAGE);
  expect((await openManagerSecrets(dataRoot, second)).caKeyPem).toBe(root.keyPem);

  await sealManagerSecrets(dataRoot, second, null, dataKey);
  expect(await isManagerLocked(dataRoot)).toBe(false);
  expect(nodeKeyText()).toStartWith("-----BEGIN PRIVATE KEY-----\n");
  expect(caKeyText()).toBe(root.keyPem);
  expect((await openManagerSecrets(dataRoot, null)).caKeyPem).toBe(root.keyPem);
});

test("sealing is idempotent and completes a seal a crash interrupted between the two files", async () => {
  const { root, node, dataKey } = await storedManager();
  const key = generateUnlockKey();
  // As if the daemon died after sealing swarm-node.key but before the CA key: still opens, CA key in clear.
  await saveNodeCredentials(dataRoot, { certificatePem: node.certificatePem, keyPem: node.keyPem, dataKey }, { unlockKey: key });
  expect(await isCaKeySealed(dataRoot)).toBe(false);
  expect((await openManagerSecrets(dataRoot, key)).caKeyPem).toBe(root.keyPem);
  await sealManagerSecrets(dataRoot, key, key, dataKey);
  expect(await isCaKeySealed(dataRoot)).toBe(true);
  const sealed = [nodeKeyText(), caKeyText()];
  await sealManagerSecrets(dataRoot, key, key, dataKey);
  expect([nodeKeyText(), caKeyText()]).toEqual(sealed);
  expect((await openManagerSecrets(dataRoot, key)).caKeyPem).toBe(root.keyPem);
});

test("a demoted manager's key is stored in clear, without the raft data key: workers are never locked", async () => {
  const { node, dataKey } = await storedManager();
  const key = generateUnlockKey();
  await sealManagerSecrets(dataRoot, null, key, dataKey);
  await unsealForWorker(dataRoot, key);
  expect(await isManagerLocked(dataRoot)).toBe(false);
  expect(await loadNodeCredentials(dataRoot)).toMatchObject({ keyPem: node.keyPem, dataKey: null });
});
