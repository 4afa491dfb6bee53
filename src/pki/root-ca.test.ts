import { expect, test } from "bun:test";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { caught, testCa, testNode } from "../../test/support/pki-fixtures.ts";
import { importPrivateKeyPem, keyMatchesCertificate } from "./ec-key.ts";
import { parseCertificate } from "./pem.ts";
import { ROOT_CA_VALIDITY_MS, createRootCA } from "./root-ca.ts";
import { openSigningCa } from "./signing-ca.ts";
import { x509 as loadX509 } from "./x509.ts";

const x509 = loadX509();

const HOUR = 3600_000;

test("a new root CA is a self-signed P-256 CA named swarm-ca, valid 20 years from an hour ago", async () => {
  const clock = new FakeClock();
  const root = await createRootCA({ clock });
  const certificate = parseCertificate(root.certificatePem, "root");
  expect(certificate.subject).toBe("CN=swarm-ca");
  expect(certificate.issuer).toBe("CN=swarm-ca");
  expect(await certificate.isSelfSigned()).toBe(true);
  expect(certificate.publicKey.algorithm).toMatchObject({ name: "ECDSA", namedCurve: "P-256" });
  expect(certificate.notBefore.getTime()).toBe(clock.now() - HOUR);
  expect(certificate.notAfter.getTime()).toBe(clock.now() + ROOT_CA_VALIDITY_MS);
  expect(ROOT_CA_VALIDITY_MS).toBe(7300 * 24 * HOUR);
  expect(certificate.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
  expect(certificate.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
  expect(certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
  expect(root.keyPem).toStartWith("-----BEGIN PRIVATE KEY-----\n");
  expect(await keyMatchesCertificate(await importPrivateKeyPem(root.keyPem, "key"), certificate)).toBe(true);
});

test("two root CAs have different keys and serial numbers", async () => {
  const clock = new FakeClock();
  const [a, b] = [parseCertificate((await createRootCA({ clock })).certificatePem, "a"), parseCertificate((await createRootCA({ clock })).certificatePem, "b")];
  expect(a.serialNumber).not.toBe(b.serialNumber);
  expect(a.publicKey.toString("pem")).not.toBe(b.publicKey.toString("pem"));
});

test("a signing CA refuses a key that belongs to another CA", async () => {
  const clock = new FakeClock();
  const [one, two] = [await createRootCA({ clock }), await createRootCA({ clock })];
  const error = await caught(() => openSigningCa({ certificatePem: one.certificatePem, keyPem: two.keyPem }));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toBe("the CA key does not match the CA certificate");
});

test("a signing CA refuses a node certificate in place of a CA certificate", async () => {
  const clock = new FakeClock();
  const node = await testNode((await testCa(clock)).signer, clock);
  const error = await caught(() => openSigningCa({ certificatePem: node.leafPem, keyPem: node.keyPem }));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toContain("is not a CA");
});

test("a signing CA refuses a key that is not PEM", async () => {
  const clock = new FakeClock();
  const { root } = await testCa(clock);
  const error = await caught(() => openSigningCa({ certificatePem: root.certificatePem, keyPem: "not a key" }));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toContain("the CA key is not a PKCS#8 PEM private key");
});
