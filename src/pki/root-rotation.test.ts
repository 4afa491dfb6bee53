import { expect, test } from "bun:test";
import { X509Certificate } from "node:crypto";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { caught, testCa, testNode, type TestNode } from "../../test/support/pki-fixtures.ts";
import { validateCertificateChain } from "./certificate-chain.ts";
import { parseCertificate, parseCertificates, publicKeyPem } from "./pem.ts";
import {
  recordRotationProgress,
  retireOldRoot,
  rotationSigningCa,
  rotationTrustBundle,
  startRootRotation,
  type NodeCertificateState,
} from "./root-rotation.ts";
import { x509 as loadX509 } from "./x509.ts";

const x509 = loadX509();

const DAY = 24 * 3600_000;

async function rotationUnderWay() {
  const clock = new FakeClock();
  const { root: oldRoot, signer: oldSigner } = await testCa(clock);
  const before = await testNode(oldSigner, clock, { nodeId: "01d01d01d01d01d01d01d01d0" });
  clock.advance(30 * DAY);
  const rotation = await startRootRotation(oldRoot, { clock });
  const after = await testNode(rotationSigningCa(rotation), clock, { nodeId: "11ew11ew11ew11ew11ew11ew1" });
  return { clock, oldRoot, rotation, before, after };
}

async function state(node: TestNode, trustBundlePem: string, clock: FakeClock): Promise<NodeCertificateState> {
  const identity = await validateCertificateChain({ certificatePem: node.certificatePem, trustBundlePem, clock });
  return { nodeId: identity.nodeId, issuerPublicKeyPem: identity.issuerPublicKeyPem };
}

test("the cross-signed root has the new root's subject and key, signed by the old root's key", async () => {
  const { oldRoot, rotation } = await rotationUnderWay();
  const crossSigned = parseCertificate(rotation.crossSignedCertificatePem, "cross-signed");
  const newRoot = parseCertificate(rotation.newRoot.certificatePem, "new");
  const old = parseCertificate(oldRoot.certificatePem, "old");
  expect(crossSigned.subject).toBe(newRoot.subject);
  expect(publicKeyPem(crossSigned)).toBe(publicKeyPem(newRoot));
  expect(publicKeyPem(crossSigned)).not.toBe(publicKeyPem(old));
  expect(await crossSigned.verify({ publicKey: old.publicKey, signatureOnly: true })).toBe(true);
  expect(await crossSigned.verify({ publicKey: newRoot.publicKey, signatureOnly: true })).toBe(false);
  expect(crossSigned.getExtension(x509.BasicConstraintsExtension)?.ca).toBe(true);
  expect(crossSigned.notAfter.getTime()).toBe(newRoot.notAfter.getTime());
});

test("during a rotation the new root issues with the cross-signed root attached, and both roots are trusted", async () => {
  const { oldRoot, rotation, after } = await rotationUnderWay();
  expect(rotation.phase).toBe("issuing-new-root");
  expect(rotationSigningCa(rotation)).toEqual({ ...rotation.newRoot, intermediatesPem: rotation.crossSignedCertificatePem });
  expect(parseCertificates(after.certificatePem, "chain")).toHaveLength(2);
  expect(rotationTrustBundle(rotation)).toBe(oldRoot.certificatePem + rotation.newRoot.certificatePem);
});

test("during a rotation old-root and new-root certificates both validate against the trust bundle", async () => {
  const { clock, oldRoot, rotation, before, after } = await rotationUnderWay();
  const bundle = rotationTrustBundle(rotation);
  const oldKey = publicKeyPem(parseCertificate(oldRoot.certificatePem, "old"));
  expect((await state(before, bundle, clock)).issuerPublicKeyPem).toBe(oldKey);
  expect((await state(after, bundle, clock)).issuerPublicKeyPem).toBe(rotation.newRootPublicKeyPem);
});

test("a new-root certificate reaches the old root through the cross-signed root, and the new root directly", async () => {
  const { clock, oldRoot, rotation, after } = await rotationUnderWay();
  const viaOld = await validateCertificateChain({ certificatePem: after.certificatePem, trustBundlePem: oldRoot.certificatePem, clock });
  expect(viaOld.trustRootPem).toBe(oldRoot.certificatePem);
  expect(viaOld.issuerPublicKeyPem).toBe(rotation.newRootPublicKeyPem);
  const direct = await validateCertificateChain({ certificatePem: after.leafPem, trustBundlePem: rotation.newRoot.certificatePem, clock });
  expect(direct.trustRootPem).toBe(rotation.newRoot.certificatePem);
  const withoutIntermediate = await caught(() => validateCertificateChain({ certificatePem: after.leafPem, trustBundlePem: oldRoot.certificatePem, clock }));
  expect(withoutIntermediate.code).toBe("permission_denied");
});

test("progress counts nodes with new-root certificates, and the phase follows it", async () => {
  const { clock, rotation, before, after } = await rotationUnderWay();
  const bundle = rotationTrustBundle(rotation);
  const pendingCert = { nodeId: "pend1ngpend1ngpend1ngpen1", issuerPublicKeyPem: null };
  const halfway = recordRotationProgress(rotation, [await state(before, bundle, clock), await state(after, bundle, clock), pendingCert]);
  expect(halfway.phase).toBe("issuing-new-root");
  expect(halfway.progress).toEqual({ reissued: 1, total: 3, pendingNodeIds: [before.nodeId, pendingCert.nodeId] });
  const refused = await caught(() => retireOldRoot(halfway));
  expect(refused.code).toBe("failed_precondition");
  expect(refused.message).toBe(`cannot retire the old root CA yet: 1 of 3 nodes have certificates from the new root (waiting for ${before.nodeId}, ${pendingCert.nodeId})`);

  const reissued = await testNode(rotationSigningCa(rotation), clock, { nodeId: before.nodeId });
  const done = recordRotationProgress(halfway, [await state(reissued, bundle, clock), await state(after, bundle, clock)]);
  expect(done.phase).toBe("all-nodes-reissued");
  expect(done.progress).toEqual({ reissued: 2, total: 2, pendingNodeIds: [] });
  expect(rotationTrustBundle(done)).toBe(bundle);

  const regressed = recordRotationProgress(done, [await state(before, bundle, clock), await state(after, bundle, clock)]);
  expect(regressed.phase).toBe("issuing-new-root");
  expect(rotation.phase).toBe("issuing-new-root"); // every step returns a new value
});

test("after the old root is retired, old-root certificates are refused and new-root ones still validate", async () => {
  const { clock, rotation, before, after } = await rotationUnderWay();
  const done = recordRotationProgress(rotation, [await state(after, rotationTrustBundle(rotation), clock)]);
  const retired = retireOldRoot(done);
  expect(retired.phase).toBe("old-root-retired");
  expect(retireOldRoot(retired)).toBe(retired);
  expect(recordRotationProgress(retired, [])).toBe(retired);
  const bundle = rotationTrustBundle(retired);
  expect(bundle).toBe(rotation.newRoot.certificatePem);
  expect(rotationSigningCa(retired)).toEqual(rotation.newRoot);
  const refused = await caught(() => validateCertificateChain({ certificatePem: before.certificatePem, trustBundlePem: bundle, clock }));
  expect(refused.code).toBe("permission_denied");
  expect(refused.message).toContain("is not signed by a trusted swarm CA");
  expect((await validateCertificateChain({ certificatePem: after.certificatePem, trustBundlePem: bundle, clock })).nodeId).toBe(after.nodeId);
  const fresh = await testNode(rotationSigningCa(retired), clock);
  expect(parseCertificates(fresh.certificatePem, "chain")).toHaveLength(1);
  expect((await validateCertificateChain({ certificatePem: fresh.certificatePem, trustBundlePem: bundle, clock })).issuerPublicKeyPem).toBe(rotation.newRootPublicKeyPem);
});

test("a rotation with no nodes can retire at once", async () => {
  const { rotation } = await rotationUnderWay();
  expect(retireOldRoot(recordRotationProgress(rotation, [])).phase).toBe("old-root-retired");
});

test("a rotation cannot start from a root whose key does not match", async () => {
  const clock = new FakeClock();
  const one = await testCa(clock);
  const two = await testCa(clock);
  const error = await caught(() => startRootRotation({ certificatePem: one.root.certificatePem, keyPem: two.root.keyPem }, { clock }));
  expect(error.code).toBe("invalid_argument");
});

test("OpenSSL (node:crypto) links a new-root certificate to the old root through the cross-signed root", async () => {
  const { oldRoot, rotation, after } = await rotationUnderWay();
  const leaf = new X509Certificate(after.leafPem);
  const crossSigned = new X509Certificate(rotation.crossSignedCertificatePem);
  const oldCa = new X509Certificate(oldRoot.certificatePem);
  const newCa = new X509Certificate(rotation.newRoot.certificatePem);
  expect(leaf.checkIssued(crossSigned) && leaf.verify(crossSigned.publicKey)).toBe(true);
  expect(leaf.checkIssued(newCa) && leaf.verify(newCa.publicKey)).toBe(true);
  expect(crossSigned.checkIssued(oldCa) && crossSigned.verify(oldCa.publicKey)).toBe(true);
  // Same subject "CN=swarm-ca" on both roots: OpenSSL tells them apart by key identifiers.
  expect(leaf.checkIssued(oldCa)).toBe(false);
});
