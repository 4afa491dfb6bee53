import { expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { CLUSTER_ID, caught, testCa, testNode } from "../../test/support/pki-fixtures.ts";
import { generateEcKeyPair, importPrivateKeyPem, keyMatchesCertificate } from "./ec-key.ts";
import { DEFAULT_NODE_CERT_VALIDITY_MS, issueNodeCertificate } from "./issue-node-certificate.ts";
import { createNodeKeyAndCsr } from "./node-csr.ts";
import { decodePemBlocks, encodePem, parseCertificate, parseCertificates } from "./pem.ts";
import { EC_ALGORITHM, x509 as loadX509, type X509 } from "./x509.ts";

const x509 = loadX509();

const HOUR = 3600_000;
const NODE_ID = "n0den0den0den0den0den0de1";

function dnsNames(certificate: X509.X509Certificate): string[] {
  return certificate.getExtension(x509.SubjectAlternativeNameExtension)!.names.items.map((name) => `${name.type}:${name.value}`);
}

test("a manager certificate names the node, the manager role and the cluster, and also answers to swarm-ca", async () => {
  const clock = new FakeClock();
  const node = await testNode((await testCa(clock)).signer, clock, { nodeId: NODE_ID, role: "manager" });
  const certificate = parseCertificate(node.leafPem, "leaf");
  expect(certificate.subjectName.getField("CN")).toEqual([NODE_ID]);
  expect(certificate.subjectName.getField("OU")).toEqual(["swarm-manager"]);
  expect(certificate.subjectName.getField("O")).toEqual([CLUSTER_ID]);
  expect(certificate.issuer).toBe("CN=swarm-ca");
  expect(dnsNames(certificate)).toEqual(["dns:swarm-manager", `dns:${NODE_ID}`, "dns:swarm-ca"]);
});

test("a worker certificate carries only its role and node ID as DNS names", async () => {
  const clock = new FakeClock();
  const node = await testNode((await testCa(clock)).signer, clock, { nodeId: NODE_ID, role: "worker" });
  const certificate = parseCertificate(node.leafPem, "leaf");
  expect(certificate.subjectName.getField("OU")).toEqual(["swarm-worker"]);
  expect(dnsNames(certificate)).toEqual(["dns:swarm-worker", `dns:${NODE_ID}`]);
});

test("a node certificate is for TLS client and server, points at its CA's key, and holds the CSR's key", async () => {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock);
  const certificate = parseCertificate(node.leafPem, "leaf");
  const caCertificate = parseCertificate(root.certificatePem, "root");
  expect(certificate.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
  expect(certificate.getExtension(x509.KeyUsagesExtension)?.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
  expect(certificate.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(false);
  expect(certificate.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caCertificate.getExtension(x509.SubjectKeyIdentifierExtension)!.keyId);
  expect(await certificate.verify({ publicKey: caCertificate.publicKey, signatureOnly: true })).toBe(true);
  expect(await keyMatchesCertificate(await importPrivateKeyPem(node.keyPem, "node key"), certificate)).toBe(true);
});

test("validity defaults to 90 days from the clock's now, backdated an hour", async () => {
  const clock = new FakeClock();
  const node = await testNode((await testCa(clock)).signer, clock);
  const certificate = parseCertificate(node.leafPem, "leaf");
  expect(DEFAULT_NODE_CERT_VALIDITY_MS).toBe(2160 * HOUR);
  expect(certificate.notBefore.getTime()).toBe(clock.now() - HOUR);
  expect(certificate.notAfter.getTime()).toBe(clock.now() + 2160 * HOUR);
});

test("a validity the cluster asks for is used as given", async () => {
  const clock = new FakeClock();
  const node = await testNode((await testCa(clock)).signer, clock, { validityMs: 5 * HOUR });
  expect(parseCertificate(node.leafPem, "leaf").notAfter.getTime()).toBe(clock.now() + 5 * HOUR);
});

test("a validity under one hour is refused with Docker's message", async () => {
  const clock = new FakeClock();
  const { signer } = await testCa(clock);
  const { csrPem } = await createNodeKeyAndCsr();
  const error = await caught(() => issueNodeCertificate(signer, csrPem, { nodeId: NODE_ID, role: "worker", clusterId: CLUSTER_ID, clock, validityMs: 59 * 60_000 }));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toBe("minimum certificate expiry time is: 1h0m0s (asked for 59m0s)");
});

test("the CA decides the subject: whatever the CSR asks for is ignored", async () => {
  const clock = new FakeClock();
  const { signer } = await testCa(clock);
  const keys = await generateEcKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: "CN=root, OU=swarm-manager, O=other-cluster", keys, signingAlgorithm: EC_ALGORITHM });
  const issued = await issueNodeCertificate(signer, encodePem(csr.rawData, "CERTIFICATE REQUEST"), { nodeId: NODE_ID, role: "worker", clusterId: CLUSTER_ID, clock });
  const certificate = parseCertificate(issued.certificatePem, "leaf");
  expect(certificate.subjectName.getField("CN")).toEqual([NODE_ID]);
  expect(certificate.subjectName.getField("OU")).toEqual(["swarm-worker"]);
  expect(certificate.subjectName.getField("O")).toEqual([CLUSTER_ID]);
});

test("a CSR altered after it was signed is refused, wherever the change falls", async () => {
  const clock = new FakeClock();
  const { signer } = await testCa(clock);
  const { csrPem } = await createNodeKeyAndCsr();
  const der = decodePemBlocks(csrPem, "CERTIFICATE REQUEST")[0]!;
  // A byte of the public key (parses, then fails the check or the parse) and the last byte of the signature.
  for (const offset of [40, der.length - 1]) {
    const tampered = der.slice();
    tampered[offset]! ^= 0x01;
    const error = await caught(() => issueNodeCertificate(signer, encodePem(tampered, "CERTIFICATE REQUEST"), { nodeId: NODE_ID, role: "worker", clusterId: CLUSTER_ID, clock }));
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toContain("tampered with");
  }
});

test("a CSR with an RSA key is refused", async () => {
  const clock = new FakeClock();
  const { signer } = await testCa(clock);
  const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await crypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ keys, signingAlgorithm: algorithm });
  const error = await caught(() => issueNodeCertificate(signer, encodePem(csr.rawData, "CERTIFICATE REQUEST"), { nodeId: NODE_ID, role: "worker", clusterId: CLUSTER_ID, clock }));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toContain("must be ECDSA P-256");
});

test("an unknown role and an empty node ID are refused", async () => {
  const clock = new FakeClock();
  const { signer } = await testCa(clock);
  const { csrPem } = await createNodeKeyAndCsr();
  const badRole = await caught(() => issueNodeCertificate(signer, csrPem, { nodeId: NODE_ID, role: "admin" as "worker", clusterId: CLUSTER_ID, clock }));
  expect(badRole.message).toContain('invalid node role "admin"');
  const noId = await caught(() => issueNodeCertificate(signer, csrPem, { nodeId: "", role: "worker", clusterId: CLUSTER_ID, clock }));
  expect(noId.message).toContain("needs a node ID");
});

test("an expired CA refuses to issue, and no certificate outlives its CA", async () => {
  const clock = new FakeClock();
  const { signer } = await testCa(clock);
  const caNotAfter = parseCertificate(signer.certificatePem, "ca").notAfter.getTime();
  clock.advance(caNotAfter - clock.now() - 10 * 24 * HOUR);
  const capped = await testNode(signer, clock);
  expect(parseCertificate(capped.leafPem, "leaf").notAfter.getTime()).toBe(caNotAfter);
  clock.advance(11 * 24 * HOUR);
  const { csrPem } = await createNodeKeyAndCsr();
  const error = await caught(() => issueNodeCertificate(signer, csrPem, { nodeId: NODE_ID, role: "worker", clusterId: CLUSTER_ID, clock }));
  expect(error.code).toBe("failed_precondition");
  expect(error.message).toContain("the swarm CA certificate expired at");
});

test("the issued chain is the leaf followed by the CA's intermediates", async () => {
  const clock = new FakeClock();
  const { root } = await testCa(clock);
  const other = await testCa(clock);
  const node = await testNode({ ...root, intermediatesPem: other.root.certificatePem }, clock);
  const chain = parseCertificates(node.certificatePem, "chain");
  expect(chain.map((certificate) => certificate.subject)).toEqual([parseCertificate(node.leafPem, "leaf").subject, "CN=swarm-ca"]);
  expect(chain[1]!.serialNumber).toBe(parseCertificate(other.root.certificatePem, "other").serialNumber);
});

test("issuing a certificate takes a few milliseconds", async () => {
  const clock = new FakeClock();
  const { signer } = await testCa(clock);
  const { csrPem } = await createNodeKeyAndCsr();
  await issueNodeCertificate(signer, csrPem, { nodeId: NODE_ID, role: "worker", clusterId: CLUSTER_ID, clock });
  const started = performance.now();
  for (let i = 0; i < 20; i++) await issueNodeCertificate(signer, csrPem, { nodeId: NODE_ID, role: "worker", clusterId: CLUSTER_ID, clock });
  // Measured ≈3 ms each here; the bound leaves room for a loaded CI machine.
  expect((performance.now() - started) / 20).toBeLessThan(25);
});

test("OpenSSL (node:crypto) reads the certificate as a TLS leaf issued by the CA, with the right names", async () => {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock, { nodeId: NODE_ID, role: "manager" });
  const leaf = new X509Certificate(node.leafPem);
  const ca = new X509Certificate(root.certificatePem);
  expect(leaf.ca).toBe(false);
  expect(ca.ca).toBe(true);
  expect(leaf.checkIssued(ca)).toBe(true);
  expect(leaf.verify(ca.publicKey)).toBe(true);
  expect(leaf.subjectAltName).toBe(`DNS:swarm-manager, DNS:${NODE_ID}, DNS:swarm-ca`);
  expect(leaf.subject.split("\n").sort()).toEqual([`CN=${NODE_ID}`, `O=${CLUSTER_ID}`, "OU=swarm-manager"]);
  expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
  expect(leaf.checkHost("swarm-ca")).toBe("swarm-ca");
});
