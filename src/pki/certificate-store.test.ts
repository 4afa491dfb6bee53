import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { caught, testCa, testNode } from "../../test/support/pki-fixtures.ts";
import {
  CERTIFICATE_FILES,
  certificatesDir,
  isNodeLocked,
  loadNodeCredentials,
  rotateUnlockKey,
  saveDataKey,
  saveNodeCredentials,
  saveRootCaBundle,
} from "./certificate-store.ts";
import { generateDataKey, generateUnlockKey } from "./unlock-key.ts";

let dataRoot: string;
beforeEach(() => {
  dataRoot = mkdtempSync(join(tmpdir(), "shoal-certs-"));
});
afterEach(() => rmSync(dataRoot, { recursive: true, force: true }));

const file = (name: keyof typeof CERTIFICATE_FILES) => join(certificatesDir(dataRoot), CERTIFICATE_FILES[name]);

async function savedNode(unlockKey: string | null = null) {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock, { role: "manager" });
  const dataKey = generateDataKey();
  await saveRootCaBundle(dataRoot, root.certificatePem);
  await saveNodeCredentials(dataRoot, { certificatePem: node.certificatePem, keyPem: node.keyPem, dataKey }, { unlockKey });
  return { clock, root, signer, node, dataKey };
}

test("saved credentials load back as they were, under certificates/ with the right modes", async () => {
  const { root, node, dataKey } = await savedNode();
  expect(await loadNodeCredentials(dataRoot)).toEqual({ rootCaBundlePem: root.certificatePem, certificatePem: node.certificatePem, keyPem: node.keyPem, dataKey });
  expect(statSync(certificatesDir(dataRoot)).mode & 0o777).toBe(0o700);
  expect(statSync(file("rootCa")).mode & 0o777).toBe(0o644);
  expect(statSync(file("nodeCertificate")).mode & 0o777).toBe(0o644);
  expect(statSync(file("nodeKey")).mode & 0o777).toBe(0o600);
  expect(readFileSync(file("nodeKey"), "utf8")).toStartWith("-----BEGIN PRIVATE KEY-----\n");
  expect(await isNodeLocked(dataRoot)).toBe(false);
});

test("with autolock the key file is sealed: no key means locked, a wrong key is refused, the right one loads", async () => {
  const unlockKey = generateUnlockKey();
  const { node, dataKey } = await savedNode(unlockKey);
  expect(await isNodeLocked(dataRoot)).toBe(true);
  expect(readFileSync(file("nodeKey"), "utf8")).not.toContain("BEGIN PRIVATE KEY");
  expect((await caught(() => loadNodeCredentials(dataRoot))).code).toBe("unavailable");
  const wrong = await caught(() => loadNodeCredentials(dataRoot, { unlockKey: generateUnlockKey() }));
  expect(wrong.code).toBe("permission_denied");
  expect(wrong.message).toBe("invalid unlock key");
  expect(await loadNodeCredentials(dataRoot, { unlockKey })).toMatchObject({ keyPem: node.keyPem, dataKey });
});

test("rotating the unlock key re-seals so only the new key opens it; null turns autolock off", async () => {
  const first = generateUnlockKey();
  const second = generateUnlockKey();
  const { node, dataKey } = await savedNode(first);
  await rotateUnlockKey(dataRoot, first, second);
  expect((await caught(() => loadNodeCredentials(dataRoot, { unlockKey: first }))).message).toBe("invalid unlock key");
  expect(await loadNodeCredentials(dataRoot, { unlockKey: second })).toMatchObject({ keyPem: node.keyPem, dataKey });
  await rotateUnlockKey(dataRoot, second, null);
  expect(await isNodeLocked(dataRoot)).toBe(false);
  expect(await loadNodeCredentials(dataRoot)).toMatchObject({ keyPem: node.keyPem, dataKey });
  expect(statSync(file("nodeKey")).mode & 0o777).toBe(0o600);
});

test("a new DEK replaces the old one and keeps the TLS key", async () => {
  const unlockKey = generateUnlockKey();
  const { node } = await savedNode(unlockKey);
  const next = generateDataKey();
  await saveDataKey(dataRoot, next, { unlockKey });
  expect(await loadNodeCredentials(dataRoot, { unlockKey })).toMatchObject({ keyPem: node.keyPem, dataKey: next });
});

test("a missing file is reported by name, never regenerated", async () => {
  await savedNode();
  for (const name of ["rootCa", "nodeCertificate", "nodeKey"] as const) {
    const saved = readFileSync(file(name));
    unlinkSync(file(name));
    const error = await caught(() => loadNodeCredentials(dataRoot));
    expect(error.code).toBe("not_found");
    expect(error.message).toStartWith(`missing ${file(name)}: `);
    writeFileSync(file(name), saved);
  }
  expect((await loadNodeCredentials(dataRoot)).rootCaBundlePem).toContain("BEGIN CERTIFICATE");
});

test("a corrupt file is reported by name", async () => {
  await savedNode();
  const cases = [
    { name: "rootCa", content: "garbage", message: "the root CA bundle holds no PEM certificate" },
    { name: "nodeCertificate", content: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", message: "is not a valid X.509 certificate" },
    { name: "nodeKey", content: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", message: "the node key is not an ECDSA P-256 private key" },
    { name: "nodeKey", content: "", message: "not a node key file" },
  ] as const;
  for (const { name, content, message } of cases) {
    const saved = readFileSync(file(name));
    writeFileSync(file(name), content);
    const error = await caught(() => loadNodeCredentials(dataRoot));
    expect({ name, code: error.code }).toEqual({ name, code: "failed_precondition" });
    expect(error.message).toStartWith(`corrupt ${file(name)}: `);
    expect(error.message).toContain(message);
    writeFileSync(file(name), saved);
  }
});

test("a key that is not the certificate's is reported, naming both files", async () => {
  const { clock, signer } = await savedNode();
  const other = await testNode(signer, clock);
  writeFileSync(file("nodeCertificate"), other.certificatePem);
  const error = await caught(() => loadNodeCredentials(dataRoot));
  expect(error.code).toBe("failed_precondition");
  expect(error.message).toBe(`${file("nodeKey")} does not hold the key of ${file("nodeCertificate")}; leave the swarm and join it again`);
});

test("saving refuses a key that is not the certificate's, and a bundle that is not a CA", async () => {
  const { clock, signer, node } = await savedNode();
  const other = await testNode(signer, clock);
  const mismatched = await caught(() => saveNodeCredentials(dataRoot, { certificatePem: node.certificatePem, keyPem: other.keyPem, dataKey: null }));
  expect(mismatched.code).toBe("invalid_argument");
  expect(mismatched.message).toBe("the node key does not match the node certificate");
  expect((await caught(() => saveRootCaBundle(dataRoot, node.leafPem))).message).toBe("the root CA bundle holds a certificate that is not a CA");
  expect(await loadNodeCredentials(dataRoot)).toMatchObject({ keyPem: node.keyPem });
});

test("a renewal overwrites the certificate and key together", async () => {
  const { clock, signer } = await savedNode();
  clock.advance(3600_000);
  const renewed = await testNode(signer, clock, { role: "worker" });
  await saveNodeCredentials(dataRoot, { certificatePem: renewed.certificatePem, keyPem: renewed.keyPem, dataKey: null });
  expect(await loadNodeCredentials(dataRoot)).toMatchObject({ certificatePem: renewed.certificatePem, keyPem: renewed.keyPem, dataKey: null });
});
