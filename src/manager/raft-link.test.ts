/** RaftLink.connect over real mutual TLS on loopback: how the leader waits for a joining manager to listen. */
import { afterEach, beforeAll, expect, test } from "bun:test";
import { createServer } from "node:net";
import { ShoalError, silentLogger, systemClock } from "../lib/index.ts";
import { RpcServer, TransportServer, type TlsMaterial } from "../transport/index.ts";
import { testCa, testNode, type TestNode } from "../../test/support/pki-fixtures.ts";
import { RaftLink } from "./raft-link.ts";

let caPem: string;
let leader: TestNode;
let joiner: TestNode;
const closers: (() => unknown)[] = [];

beforeAll(async () => {
  const ca = await testCa(systemClock);
  caPem = ca.root.certificatePem;
  leader = await testNode(ca.signer, systemClock, { nodeId: "leader0leader0leader0lead", role: "manager" });
  joiner = await testNode(ca.signer, systemClock, { nodeId: "joiner0joiner0joiner0join", role: "manager" });
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

const material = (node: TestNode): TlsMaterial => ({ key: node.keyPem, cert: node.certificatePem, ca: caPem });

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** The leader's link, knowing the joiner's raft address only. */
function leaderLink(joinerAddress: string): RaftLink {
  const link = new RaftLink({
    material: () => material(leader),
    addressOf: (member) => (member === joiner.nodeId ? joinerAddress : undefined),
    clock: systemClock,
    logger: silentLogger,
  });
  closers.push(() => link.close());
  return link;
}

async function listenAsJoiner(port: number): Promise<void> {
  const server = new TransportServer({ material: material(joiner), rpc: new RpcServer() });
  closers.push(() => server.close(0));
  await server.listen(port, "127.0.0.1");
}

test("connect resolves once a joiner that did not listen yet starts listening (dialling again after each refusal)", async () => {
  const port = await freePort();
  const link = leaderLink(`127.0.0.1:${port}`);
  let connected = false;
  const connecting = link.connect(joiner.nodeId, 10_000).then(() => (connected = true));
  await Bun.sleep(120); // refused meanwhile, a few times
  expect(connected).toBe(false);
  await listenAsJoiner(port);
  await connecting;
  expect(connected).toBe(true);
});

test("connect gives up when nothing listens within the time given, and at once when the address is unknown", async () => {
  const link = leaderLink(`127.0.0.1:${await freePort()}`);
  const never = await link.connect(joiner.nodeId, 150).catch((error: unknown) => error);
  expect(never).toBeInstanceOf(ShoalError);
  const unknown = await link.connect("stranger0stranger0strange", 10_000).catch((error: unknown) => error);
  expect(unknown).toBeInstanceOf(ShoalError);
  expect((unknown as ShoalError).message).toContain("not known");
});
