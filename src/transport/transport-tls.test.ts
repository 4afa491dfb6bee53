/** The transport over real mutual TLS on loopback, with certificates from the swarm's own CA. */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { ShoalError, systemClock } from "../lib/index.ts";
import {
  InMemoryRemovedNodes,
  authorizePeer,
  openSigningCa,
  recordRotationProgress,
  retireOldRoot,
  rotationSigningCa,
  rotationTrustBundle,
  startRootRotation,
  validateCertificateChain,
} from "../pki/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { CLUSTER_ID, testCa, testNode, type TestCa, type TestNode } from "../../test/support/pki-fixtures.ts";
import { ConnectionPool } from "./connection-pool.ts";
import { dial } from "./dial.ts";
import { ANY_NODE, ANYONE, MANAGERS_ONLY, type PeerIdentity } from "./peer-identity.ts";
import { RpcClient } from "./rpc-client.ts";
import { unaryMethod } from "./rpc-method.ts";
import { RpcServer } from "./rpc-server.ts";
import type { TlsMaterial } from "./tls-identity.ts";
import { TransportServer } from "./transport-server.ts";

const WhoAmI = unaryMethod<null, PeerIdentity | null>("Test.WhoAmI", ANY_NODE);
const ListNodes = unaryMethod<null, string[]>("Control.ListNodes", MANAGERS_ONLY);
const RootCA = unaryMethod<null, string>("CA.GetRootCACertificate", ANYONE);

let ca: TestCa;
let manager: TestNode;
let worker: TestNode;
const servers: TransportServer[] = [];
const pools: ConnectionPool[] = [];

beforeAll(async () => {
  ca = await testCa(systemClock);
  manager = await testNode(ca.signer, systemClock, { nodeId: "manager0manager0manager01", role: "manager" });
  worker = await testNode(ca.signer, systemClock, { nodeId: "worker0worker0worker0work", role: "worker" });
});
afterEach(async () => {
  for (const pool of pools.splice(0)) pool.close();
  await Promise.all(servers.splice(0).map((server) => server.close(100)));
});

const material = (node: TestNode, trust = ca.root.certificatePem): TlsMaterial => ({ key: node.keyPem, cert: node.certificatePem, ca: trust });

async function startServer(node: TestNode, options: { removed?: InMemoryRemovedNodes; trust?: string } = {}) {
  const removed = options.removed ?? new InMemoryRemovedNodes();
  const rpc = new RpcServer()
    .unary(WhoAmI, (_request, context) => context.peer)
    .unary(ListNodes, () => ["a", "b"])
    .unary(RootCA, () => ca.root.certificatePem);
  const server = new TransportServer({
    material: material(node, options.trust),
    rpc,
    verifyPeer: (peer) => void authorizePeer(peer, { clusterId: CLUSTER_ID, removedNodes: removed }),
  });
  servers.push(server);
  const port = await server.listen(0, "127.0.0.1");
  return { server, address: `127.0.0.1:${port}`, removed };
}

async function clientFor(address: string, credentials: { key?: string; cert?: string; ca: string | null }) {
  const { session, server } = await dial(address, { credentials });
  return { client: new RpcClient(session), server, session };
}

describe("mutual TLS", () => {
  test("nodes of one swarm talk, and each side knows the other from its certificate", async () => {
    const { address } = await startServer(manager);
    const { client, server } = await clientFor(address, { key: worker.keyPem, cert: worker.certificatePem, ca: ca.root.certificatePem });
    expect(server).toEqual({ nodeId: manager.nodeId, role: "manager", clusterId: CLUSTER_ID });
    expect(await client.call(WhoAmI, null)).toEqual({ nodeId: worker.nodeId, role: "worker", clusterId: CLUSTER_ID });
  });

  test("a client certificate from another CA gets only a closed connection", async () => {
    const { address } = await startServer(manager);
    const stranger = await testNode((await testCa(systemClock)).signer, systemClock, { role: "manager" });
    const error = await clientFor(address, { key: stranger.keyPem, cert: stranger.certificatePem, ca: ca.root.certificatePem })
      .then(({ client }) => client.call(WhoAmI, null, { timeoutMs: 5000 }))
      .catch((failure) => failure);
    expect(error).toBeInstanceOf(ShoalError);
    expect(error.code).toBe("unavailable");
  });

  test("a client does not trust a server whose certificate another CA issued", async () => {
    const rogueCa = await testCa(systemClock);
    const rogue = await testNode(rogueCa.signer, systemClock, { role: "manager" });
    const { address } = await startServer(rogue, { trust: rogueCa.root.certificatePem });
    const error = await clientFor(address, { key: worker.keyPem, cert: worker.certificatePem, ca: ca.root.certificatePem }).catch((failure) => failure);
    expect(error.code).toBe("unavailable");
    expect(error.message).toMatch(/certificate|verify/i);
  });

  test("an expired certificate is refused, where the same CA's current one is served", async () => {
    const longAgo = new FakeClock(Date.now() - 10 * 24 * 3600 * 1000);
    const oldCa = await testCa(longAgo);
    const expired = await testNode(oldCa.signer, longAgo, { role: "manager", validityMs: 3600 * 1000 });
    const current = await testNode(oldCa.signer, systemClock, { role: "manager" });
    const { address } = await startServer(manager, { trust: ca.root.certificatePem + oldCa.root.certificatePem });
    const call = (node: TestNode) =>
      clientFor(address, { key: node.keyPem, cert: node.certificatePem, ca: ca.root.certificatePem })
        .then(({ client }) => client.call(WhoAmI, null, { timeoutMs: 5000 }))
        .catch((failure) => failure);
    expect((await call(expired)).code).toBe("unavailable");
    expect((await call(current))?.nodeId).toBe(current.nodeId);
  });

  test("a worker certificate is denied a manager-only method; a manager's is served", async () => {
    const { address } = await startServer(manager);
    const asWorker = await clientFor(address, { key: worker.keyPem, cert: worker.certificatePem, ca: ca.root.certificatePem });
    const denied = await asWorker.client.call(ListNodes, null).catch((failure) => failure);
    expect(denied.code).toBe("permission_denied");
    const asManager = await clientFor(address, { key: manager.keyPem, cert: manager.certificatePem, ca: ca.root.certificatePem });
    expect(await asManager.client.call(ListNodes, null)).toEqual(["a", "b"]);
  });

  test("a removed node is refused even with a valid certificate, and dropped when removed while connected", async () => {
    const { address, server, removed } = await startServer(manager);
    const connected = await clientFor(address, { key: worker.keyPem, cert: worker.certificatePem, ca: ca.root.certificatePem });
    expect((await connected.client.call(WhoAmI, null))?.nodeId).toBe(worker.nodeId);
    removed.add(worker.nodeId);
    server.disconnect((peer) => peer !== null && removed.isRemoved(peer.nodeId));
    expect(await connected.session.closed).not.toBeNull();
    const again = await clientFor(address, { key: worker.keyPem, cert: worker.certificatePem, ca: ca.root.certificatePem })
      .then(({ client }) => client.call(WhoAmI, null, { timeoutMs: 5000 }))
      .catch((failure) => failure);
    expect(again.code).toBe("unavailable");
  });

  test("without a certificate only the anonymous join methods answer", async () => {
    const { address } = await startServer(manager);
    const anonymous = await clientFor(address, { ca: null });
    expect(anonymous.server).toBeNull();
    expect(await anonymous.client.call(RootCA, null)).toBe(ca.root.certificatePem);
    expect((await anonymous.client.call(WhoAmI, null).catch((failure) => failure)).code).toBe("permission_denied");
  });

  test("plain TCP garbage before TLS is dropped and the server keeps serving", async () => {
    const { address } = await startServer(manager);
    const [host, port] = address.split(":");
    const socket = await Bun.connect({ hostname: host!, port: Number(port), socket: { data() {}, close() {} } });
    socket.write("GET / HTTP/1.1\r\nHost: shoal\r\n\r\n" + "x".repeat(100_000));
    await Bun.sleep(50);
    socket.end();
    const { client } = await clientFor(address, { key: worker.keyPem, cert: worker.certificatePem, ca: ca.root.certificatePem });
    expect((await client.call(WhoAmI, null))?.role).toBe("worker");
  });
});

describe("CA rotation", () => {
  test("a running set of nodes keeps talking through the whole rotation, without one failed call", async () => {
    const clock = systemClock;
    const names = ["rot0rot0rot0rot0rot0rot01", "rot0rot0rot0rot0rot0rot02", "rot0rot0rot0rot0rot0rot03"];
    const nodes = new Map<string, TestNode>();
    for (const nodeId of names) nodes.set(nodeId, await testNode(ca.signer, clock, { nodeId, role: "manager" }));
    let trust = ca.root.certificatePem;
    const started = await Promise.all(names.map((nodeId) => startServer(nodes.get(nodeId)!)));
    const nodePools = names.map((nodeId) => {
      const pool = new ConnectionPool({ credentials: () => ({ key: nodes.get(nodeId)!.keyPem, cert: nodes.get(nodeId)!.certificatePem, ca: trust }) });
      pools.push(pool);
      return pool;
    });
    const refresh = () => started.forEach(({ server }, index) => server.updateMaterial(material(nodes.get(names[index]!)!, trust)));

    let calls = 0;
    const failures: string[] = [];
    let running = true;
    const traffic = (async () => {
      for (let round = 0; running; round++) {
        for (let from = 0; from < 3; from++) {
          for (let to = 0; to < 3; to++) {
            if (from === to) continue;
            try {
              const client = await nodePools[from]!.client(started[to]!.address);
              await client.call(WhoAmI, null, { timeoutMs: 5000 });
              calls++;
            } catch (error) {
              failures.push(`round ${round} ${from}→${to}: ${String(error)}`);
            }
          }
        }
        // Force fresh handshakes every few rounds so new connections are tested too.
        if (round % 3 === 2) for (const pool of nodePools) (await Promise.all(started.map(({ address }) => pool.session(address)))).forEach((s) => s.goaway());
        await Bun.sleep(2);
      }
    })();

    let rotation = await startRootRotation(ca.root, { clock });
    trust = rotationTrustBundle(rotation);
    refresh();
    await Bun.sleep(30);
    const signer = await openSigningCa(rotationSigningCa(rotation));
    for (const nodeId of names) {
      nodes.set(nodeId, await testNode(signer, clock, { nodeId, role: "manager" }));
      refresh();
      await Bun.sleep(30);
    }
    const states = await Promise.all(
      names.map(async (nodeId) => {
        const node = nodes.get(nodeId)!;
        const verified = await validateCertificateChain({ certificatePem: node.leafPem, intermediatesPem: node.certificatePem, trustBundlePem: trust, clock });
        return { nodeId, issuerPublicKeyPem: verified.issuerPublicKeyPem };
      }),
    );
    rotation = recordRotationProgress(rotation, states);
    expect(rotation.phase).toBe("all-nodes-reissued");
    rotation = retireOldRoot(rotation);
    trust = rotationTrustBundle(rotation);
    refresh();
    await Bun.sleep(30);
    running = false;
    await traffic;

    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(50);
    expect(trust).toBe(rotation.newRoot.certificatePem);
    // An old-root certificate no longer gets in.
    const stale = await testNode(ca.signer, clock, { role: "manager" });
    const error = await clientFor(started[0]!.address, { key: stale.keyPem, cert: stale.certificatePem, ca: trust })
      .then(({ client }) => client.call(WhoAmI, null, { timeoutMs: 5000 }))
      .catch((failure) => failure);
    expect(error.code).toBe("unavailable");
  }, 60_000);
});

afterAll(() => {
  for (const pool of pools) pool.close();
});
