import { expect, test } from "bun:test";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { CLUSTER_ID, caught, testCa, testNode } from "../../test/support/pki-fixtures.ts";
import { authorizePeer } from "./authorize-peer.ts";
import { validateCertificateChain } from "./certificate-chain.ts";
import { InMemoryRemovedNodes } from "./removed-nodes.ts";

async function verifiedPeer(options: { role?: "manager" | "worker"; clusterId?: string } = {}) {
  const clock = new FakeClock();
  const { root, signer } = await testCa(clock);
  const node = await testNode(signer, clock, { nodeId: "rem0vedrem0vedrem0vedrem0", ...options });
  return validateCertificateChain({ certificatePem: node.certificatePem, trustBundlePem: root.certificatePem, clock });
}

test("a peer of this swarm that was not removed is let in with its identity", async () => {
  const identity = await verifiedPeer();
  expect(authorizePeer(identity, { clusterId: CLUSTER_ID, removedNodes: new InMemoryRemovedNodes() })).toBe(identity);
});

test("a removed node is refused even though its certificate is valid and unexpired", async () => {
  const identity = await verifiedPeer();
  const removedNodes = new InMemoryRemovedNodes(["someone-else"]);
  removedNodes.add(identity.nodeId);
  const error = await caught(() => authorizePeer(identity, { clusterId: CLUSTER_ID, removedNodes }));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toBe(`node ${identity.nodeId} was removed from the swarm`);
  removedNodes.delete(identity.nodeId);
  expect(authorizePeer(identity, { clusterId: CLUSTER_ID, removedNodes }).nodeId).toBe(identity.nodeId);
});

test("a certificate of another cluster is refused", async () => {
  const identity = await verifiedPeer({ clusterId: "0therc1usterc1usterc1ust" });
  const error = await caught(() => authorizePeer(identity, { clusterId: CLUSTER_ID, removedNodes: new InMemoryRemovedNodes() }));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toBe(`node ${identity.nodeId} presented a certificate of another swarm (cluster 0therc1usterc1usterc1ust, expected ${CLUSTER_ID})`);
});

test("a worker certificate cannot pass a manager-only check, a manager certificate can", async () => {
  const options = { clusterId: CLUSTER_ID, removedNodes: new InMemoryRemovedNodes(), roles: ["manager"] as const };
  const worker = await verifiedPeer({ role: "worker" });
  const error = await caught(() => authorizePeer(worker, options));
  expect(error.code).toBe("permission_denied");
  expect(error.message).toBe(`node ${worker.nodeId} is a worker; only manager nodes may do this`);
  expect(authorizePeer(await verifiedPeer({ role: "manager" }), options).role).toBe("manager");
});
