import { expect, test } from "bun:test";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { CLUSTER_ID, caught, testCa, testNode } from "../../test/support/pki-fixtures.ts";
import { parseNodeCertificate } from "./node-certificate.ts";
import { parseCertificate } from "./pem.ts";

const HOUR = 3600_000;

test("a node certificate reads back as the identity it was issued for", async () => {
  const clock = new FakeClock();
  const node = await testNode((await testCa(clock)).signer, clock, { nodeId: "abcdefghijklmnopqrstuvwxy", role: "manager", validityMs: 10 * HOUR });
  const identity = parseNodeCertificate(node.certificatePem);
  expect(identity).toEqual({
    nodeId: "abcdefghijklmnopqrstuvwxy",
    role: "manager",
    clusterId: CLUSTER_ID,
    notBefore: clock.now() - HOUR,
    notAfter: clock.now() + 10 * HOUR,
    serialNumber: parseCertificate(node.leafPem, "leaf").serialNumber.toLowerCase(),
    issuerSubject: "CN=swarm-ca",
  });
  expect(identity.serialNumber).toMatch(/^[0-9a-f]{32}$/);
});

test("a chain is read by its first certificate", async () => {
  const clock = new FakeClock();
  const { root } = await testCa(clock);
  const node = await testNode(root, clock, { role: "worker" });
  expect(parseNodeCertificate(node.leafPem + root.certificatePem).role).toBe("worker");
});

test("a CA certificate is not a node certificate", async () => {
  const clock = new FakeClock();
  const { root } = await testCa(clock);
  const error = await caught(() => parseNodeCertificate(root.certificatePem));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toBe('certificate "CN=swarm-ca" is not a swarm node certificate: it needs exactly one OU');
});

test("text without a certificate is refused", async () => {
  const error = await caught(() => parseNodeCertificate("hello"));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toBe("the node certificate holds no PEM certificate");
});
