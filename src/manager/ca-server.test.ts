import { expect, test } from "bun:test";
import { silentLogger } from "../lib/index.ts";
import { createNodeKeyAndCsr, createRootCA, generateJoinTokens, openSigningCa } from "../pki/index.ts";
import { ClusterStore } from "../store/index.ts";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { CaServer } from "./ca-server.ts";
import { defaultSwarmSpec } from "./cluster-spec.ts";
import { tlsInfoOf } from "./tls-info.ts";

const CLUSTER_ID = "cluster000000000000000000";

async function caServer() {
  const clock = new FakeClock();
  const root = await createRootCA({ clock });
  const tokens = generateJoinTokens(root.certificatePem);
  const store = new ClusterStore({ clock, logger: silentLogger });
  await store.update((tx) =>
    tx.create("cluster", {
      ID: CLUSTER_ID,
      Spec: defaultSwarmSpec(),
      TLSInfo: tlsInfoOf(root.certificatePem),
      RootRotationInProgress: false,
      DataPathPort: 4789,
      DefaultAddrPool: ["10.0.0.0/8"],
      SubnetSize: 24,
      JoinTokens: { Worker: tokens.worker, Manager: tokens.manager },
    }),
  );
  const ca = new CaServer({
    store,
    clusterId: CLUSTER_ID,
    rootCaPem: root.certificatePem,
    signer: await openSigningCa(root),
    managerSecrets: { caKeyPem: root.keyPem, dataKey: new Uint8Array(32) },
    clock,
    logger: silentLogger,
    managers: () => [{ NodeID: "manager", Addr: "10.0.0.1:2377" }],
  });
  return { ca, store, tokens };
}

async function joinRequest(token: string, managerAddr?: string) {
  const { csrPem } = await createNodeKeyAndCsr();
  return {
    csrPem,
    token,
    hostname: "worker2",
    platform: { Architecture: "x86_64", OS: "linux" },
    resources: { NanoCPUs: 1e9, MemoryBytes: 1 << 30 },
    engineVersion: "0.1.0",
    advertiseAddr: "10.0.0.3",
    ...(managerAddr ? { managerAddr } : {}),
  };
}

test("a node whose manager join failed takes its Node back out; asking again changes nothing", async () => {
  const { ca, store, tokens } = await caServer();
  const joined = await ca.issue(await joinRequest(tokens.manager, "10.0.0.3:2377"));
  expect(joined.role).toBe("manager");
  expect(store.view((tx) => tx.get("nodes", joined.nodeId))?.ManagerStatus?.Addr).toBe("10.0.0.3:2377");

  await ca.abandonJoin(joined.nodeId);
  expect(store.view((tx) => tx.get("nodes", joined.nodeId))).toBeUndefined();
  const index = store.index;
  await ca.abandonJoin(joined.nodeId);
  expect(store.index).toBe(index);
});

test("abandoning a join removes only the caller's node", async () => {
  const { ca, store, tokens } = await caServer();
  const kept = await ca.issue(await joinRequest(tokens.worker));
  const failed = await ca.issue(await joinRequest(tokens.worker));
  await ca.abandonJoin(failed.nodeId);
  expect(store.view((tx) => tx.find("nodes")).map((node) => node.ID)).toEqual([kept.nodeId]);
});
