import { expect, test } from "bun:test";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { caught, testCa, testNode } from "../../test/support/pki-fixtures.ts";
import { validateCertificateChain } from "./certificate-chain.ts";
import { crossSignRootCA } from "./cross-sign.ts";
import { decodePemBlocks, encodePem, parseCertificate, publicKeyPem } from "./pem.ts";

const HOUR = 3600_000;

test("a certificate from a trusted root validates and names the key that issued it", async () => {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock, { role: "manager" });
  const identity = await validateCertificateChain({ certificatePem: node.certificatePem, trustBundlePem: root.certificatePem, clock });
  expect(identity.role).toBe("manager");
  expect(identity.nodeId).toBe(node.nodeId);
  expect(identity.issuerPublicKeyPem).toBe(publicKeyPem(parseCertificate(root.certificatePem, "root")));
  expect(identity.trustRootPem).toBe(root.certificatePem);
});

test("an expired certificate is refused, saying when it expired", async () => {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock, { validityMs: 2 * HOUR });
  const notAfter = new Date(clock.now() + 2 * HOUR).toISOString();
  clock.advance(2 * HOUR + 1000);
  const error = await caught(() => validateCertificateChain({ certificatePem: node.certificatePem, trustBundlePem: root.certificatePem, clock }));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toStartWith(`certificate expired at ${notAfter} (`);
});

test("a certificate is refused before it becomes valid, with a hint about the clock", async () => {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock);
  const early = new FakeClock(clock.now() - 2 * HOUR);
  const error = await caught(() => validateCertificateChain({ certificatePem: node.certificatePem, trustBundlePem: root.certificatePem, clock: early }));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toStartWith(`certificate is not valid before ${new Date(clock.now() - HOUR).toISOString()}`);
  expect(error.message).toEndWith("check this host's clock");
});

test("a certificate from another CA with the same name is refused", async () => {
  const clock = new FakeClock();
  const ours = await testCa(clock);
  const theirs = await testCa(clock);
  const node = await testNode(theirs.signer, clock);
  const error = await caught(() => validateCertificateChain({ certificatePem: node.certificatePem, trustBundlePem: ours.root.certificatePem, clock }));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toContain("is not signed by a trusted swarm CA");
});

test("a trust bundle of several roots accepts certificates from each", async () => {
  const clock = new FakeClock();
  const one = await testCa(clock);
  const two = await testCa(clock);
  const bundle = one.root.certificatePem + two.root.certificatePem;
  for (const ca of [one, two]) {
    const node = await testNode(ca.signer, clock);
    const identity = await validateCertificateChain({ certificatePem: node.certificatePem, trustBundlePem: bundle, clock });
    expect(identity.trustRootPem).toBe(ca.root.certificatePem);
  }
});

test("a certificate whose signature was altered is refused", async () => {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock);
  const der = decodePemBlocks(node.leafPem, "CERTIFICATE")[0]!;
  der[der.length - 3]! ^= 0x01;
  const error = await caught(() => validateCertificateChain({ certificatePem: encodePem(der, "CERTIFICATE"), trustBundlePem: root.certificatePem, clock }));
  expect(error.code).toBe("permission_denied");
});

test("a node certificate passed as an intermediate cannot vouch for another", async () => {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const honest = await testNode(signer, clock);
  const stranger = await testNode((await testCa(clock)).signer, clock);
  const error = await caught(() =>
    validateCertificateChain({ certificatePem: stranger.certificatePem, intermediatesPem: honest.leafPem, trustBundlePem: root.certificatePem, clock }),
  );
  expect(error.code).toBe("permission_denied");
});

test("a chain through an expired root is refused, naming the root's expiry", async () => {
  const clock = new FakeClock();
  const old = await testCa(clock);
  clock.advance(5 * 365 * 24 * HOUR);
  const renewed = await testCa(clock);
  const crossSignedPem = await crossSignRootCA(renewed.root.certificatePem, old.root);
  const oldNotAfter = parseCertificate(old.root.certificatePem, "old").notAfter;
  clock.advance(oldNotAfter.getTime() - clock.now() + HOUR);
  const node = await testNode(renewed.signer, clock);
  const options = { certificatePem: node.certificatePem, intermediatesPem: crossSignedPem, clock };
  const error = await caught(() => validateCertificateChain({ ...options, trustBundlePem: old.root.certificatePem }));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toBe(`CA certificate expired at ${oldNotAfter.toISOString()} (CN=swarm-ca)`);
  const viaNewRoot = await validateCertificateChain({ ...options, trustBundlePem: old.root.certificatePem + renewed.root.certificatePem });
  expect(viaNewRoot.trustRootPem).toBe(renewed.root.certificatePem);
});

test("a trust bundle without a CA certificate is refused", async () => {
  const clock = new FakeClock();
  const node = await testNode((await testCa(clock)).signer, clock);
  const error = await caught(() => validateCertificateChain({ certificatePem: node.certificatePem, trustBundlePem: node.leafPem, clock }));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toBe("the trust bundle holds no CA certificate");
});
