import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { silentLogger, systemClock } from "../lib/index.ts";
import { LmdbRaftStorage } from "../raft/index.ts";
import { Manager, type ManagerDeps } from "./index.ts";
import { resolveSwarmAddresses } from "./swarm-addresses.ts";
import { freePort } from "../../test/support/raft-process-cluster.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function deps(): ManagerDeps {
  const dataRoot = mkdtempSync("/tmp/shoal-manager-");
  cleanups.push(() => rmSync(dataRoot, { recursive: true, force: true }));
  return { dataRoot, clock: systemClock, logger: silentLogger, openRaftStorage: (path, options) => LmdbRaftStorage.open(path, options), tickMs: 20 };
}

const facts = { hostname: "manager1", architecture: "x86_64", nanoCpus: 2e9, memoryBytes: 4 << 30, engineVersion: "0.1.0" };

async function init(d: ManagerDeps, port = freePort()): Promise<Manager> {
  const manager = await Manager.init(d, { addresses: resolveSwarmAddresses({ listenAddr: `127.0.0.1:${port}`, advertiseAddr: "127.0.0.1" }, {}), facts });
  cleanups.push(() => manager.stop());
  return manager;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

test("init creates the cluster with SwarmKit's defaults and this node as the leading manager", async () => {
  const port = freePort();
  const manager = await init(deps(), port);
  expect(manager.nodeId).toMatch(/^[0-9a-z]{25}$/);
  const swarm = manager.swarm();
  expect(swarm.ID).toBe(manager.clusterId);
  expect(swarm.Spec).toEqual({
    Name: "default",
    Labels: {},
    Orchestration: { TaskHistoryRetentionLimit: 5 },
    Raft: { SnapshotInterval: 10000, KeepOldSnapshots: 0, LogEntriesForSlowFollowers: 500, ElectionTick: 10, HeartbeatTick: 1 },
    Dispatcher: { HeartbeatPeriod: 5e9 },
    CAConfig: { NodeCertExpiry: 90 * 24 * 3600 * 1e9 },
    TaskDefaults: {},
    EncryptionConfig: { AutoLockManagers: false },
  });
  expect(swarm.JoinTokens.Worker).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
  expect(swarm.JoinTokens.Manager).not.toBe(swarm.JoinTokens.Worker);
  expect(swarm.JoinTokens.Manager.slice(0, 60)).toBe(swarm.JoinTokens.Worker.slice(0, 60));
  expect([swarm.DefaultAddrPool, swarm.SubnetSize, swarm.DataPathPort]).toEqual([["10.0.0.0/8"], 24, 4789]);
  expect(swarm.TLSInfo.TrustRoot).toContain("BEGIN CERTIFICATE");
  expect(swarm.TLSInfo.CertIssuerSubject).toBe("MBMxETAPBgNVBAMTCHN3YXJtLWNh"); // CN=swarm-ca, as SwarmKit's

  const node = manager.node(manager.nodeId);
  expect(node.Spec).toEqual({ Labels: {}, Role: "manager", Availability: "active" });
  expect(node.Status).toEqual({ State: "ready", Addr: "127.0.0.1" });
  expect(node.ManagerStatus).toEqual({ Leader: true, Reachability: "reachable", Addr: `127.0.0.1:${port}` });
  expect(node.Description?.Hostname).toBe("manager1");
  expect(manager.node("manager1").ID).toBe(manager.nodeId);
  expect(manager.node(manager.nodeId.slice(0, 5)).ID).toBe(manager.nodeId);
  expect(() => manager.node("nope")).toThrow("node nope not found");

  const info = manager.info();
  expect(info).toMatchObject({ NodeID: manager.nodeId, NodeAddr: "127.0.0.1", LocalNodeState: "active", ControlAvailable: true, Nodes: 1, Managers: 1 });
  expect(info.RemoteManagers).toEqual([{ NodeID: manager.nodeId, Addr: `127.0.0.1:${port}` }]);
  expect(info.Cluster).not.toHaveProperty("JoinTokens");
  expect(await listening(port)).toBe(true);
});

test("node filters pick by role, id prefix, name prefix and labels", async () => {
  const manager = await init(deps());
  expect(manager.nodes({ role: ["manager"] })).toHaveLength(1);
  expect(manager.nodes({ role: ["worker"] })).toHaveLength(0);
  expect(manager.nodes({ id: [manager.nodeId.slice(0, 3)], name: ["mana"], membership: ["accepted"] })).toHaveLength(1);
  expect(manager.nodes({ "node.label": ["zone"] })).toHaveLength(0);
  expect(() => manager.nodes({ role: ["boss"] })).toThrow("Invalid role filter value: boss");
  expect(() => manager.nodes({ colour: ["red"] })).toThrow("invalid filter 'colour'");
});

test("a restart from disk keeps the node ID, cluster ID, tokens and objects, and serves on the same port", async () => {
  const d = deps();
  const port = freePort();
  const first = await init(d, port);
  const before = { nodeId: first.nodeId, swarm: first.swarm(), node: first.node(first.nodeId) };
  await first.stop();
  expect(await listening(port)).toBe(false);
  expect(Manager.hasState(d.dataRoot)).toBe(true);

  const second = await Manager.restart(d);
  cleanups.push(() => second.stop());
  expect(second.nodeId).toBe(before.nodeId);
  expect(second.swarm()).toEqual(before.swarm);
  expect(second.node(before.nodeId)).toEqual(before.node);
  expect(await listening(port)).toBe(true);
  // Still the leader, and writes still commit.
  await second.store.update((tx) => {
    const node = tx.get("nodes", before.nodeId)!;
    tx.update("nodes", { ...node, Spec: { ...node.Spec, Labels: { zone: "a" } } });
  });
  expect(second.nodes({ "node.label": ["zone=a"] })).toHaveLength(1);
});

test("leave stops the manager, releases the port and erases the swarm state and certificates", async () => {
  const d = deps();
  const port = freePort();
  const manager = await init(d, port);
  await manager.leave();
  expect(await listening(port)).toBe(false);
  expect(Manager.hasState(d.dataRoot)).toBe(false);
  expect(existsSync(join(d.dataRoot, "swarm"))).toBe(false);
  expect(existsSync(join(d.dataRoot, "certificates"))).toBe(false);
  // A new swarm can be made on the same data root, with new identities.
  const again = await init(d, port);
  expect(again.nodeId).not.toBe(manager.nodeId);
});

test("init on a port in use fails with a clear message and leaves nothing behind", async () => {
  const d = deps();
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  cleanups.push(() => listener.stop(true));
  await expect(init(d, listener.port)).rejects.toThrow(`cannot listen on 127.0.0.1:${listener.port} for the swarm (EADDRINUSE)`);
  expect(existsSync(join(d.dataRoot, "swarm"))).toBe(false);
  expect(existsSync(join(d.dataRoot, "certificates"))).toBe(false);
});

test("node update takes the whole spec at the version read; a stale version, a bad value and demoting the last manager are refused", async () => {
  const manager = await init(deps());
  const node = manager.node("manager1");
  await manager.updateNode("manager1", node.Version.Index, { ...node.Spec, Availability: "drain", Labels: { zone: "a" } });
  const updated = manager.node(node.ID);
  expect([updated.Spec.Availability, updated.Spec.Labels]).toEqual(["drain", { zone: "a" }]);
  expect(updated.Version.Index).toBeGreaterThan(node.Version.Index);
  const stale = await manager.updateNode(node.ID, node.Version.Index, { ...node.Spec, Availability: "pause" }).catch((error) => error);
  expect(String(stale)).toContain("update out of sequence");
  const bad = await manager.updateNode(node.ID, updated.Version.Index, { ...updated.Spec, Availability: "sleepy" }).catch((error) => error);
  expect(String(bad)).toContain('invalid availability "sleepy"');
  const demote = await manager.updateNode(node.ID, updated.Version.Index, { ...updated.Spec, Role: "worker" }).catch((error) => error);
  expect(String(demote)).toContain("attempting to demote the last manager of the swarm");
  expect(manager.node(node.ID).Spec).toEqual(updated.Spec);
});

test("a manager cannot be removed; swarm update rotates a join token and changes the spec, refusing a stale version", async () => {
  const manager = await init(deps());
  const removal = await manager.removeNode("manager1", true).catch((error) => error);
  expect(String(removal)).toContain("is a cluster manager and is a member of the raft cluster");
  const before = manager.swarm();
  await manager.updateSwarm(before.Version.Index, { ...before.Spec, Orchestration: { TaskHistoryRetentionLimit: 3 } }, { worker: true, manager: false });
  const after = manager.swarm();
  expect(after.Spec.Orchestration.TaskHistoryRetentionLimit).toBe(3);
  expect(after.JoinTokens.Worker).not.toBe(before.JoinTokens.Worker);
  expect(after.JoinTokens.Worker.split("-")[2]).toBe(before.JoinTokens.Worker.split("-")[2]); // same CA digest, new secret
  expect(after.JoinTokens.Manager).toBe(before.JoinTokens.Manager);
  const stale = await manager.updateSwarm(before.Version.Index, { ...before.Spec }, { worker: false, manager: true }).catch((error) => error);
  expect(String(stale)).toContain("update out of sequence");
  expect(manager.swarm().JoinTokens.Manager).toBe(before.JoinTokens.Manager);
});

test("force-new-cluster restarts from disk as the only raft member: same IDs and tokens, the other managers down, unreachable and left out of raft", async () => {
  const d = deps();
  const first = await init(d);
  const other = { ID: "othermanager0000000000000", Addr: "127.0.0.1:1" };
  await first.store.update((tx) => {
    tx.create("nodes", {
      ID: other.ID,
      Spec: { Labels: { keep: "1" }, Role: "manager", Availability: "active", Membership: "accepted" },
      Description: { ...first.node("self").Description, Hostname: "manager2" },
      Status: { State: "ready", Addr: "127.0.0.1" },
      ManagerStatus: { Leader: false, Reachability: "reachable", Addr: other.Addr },
    } as never);
  });
  const swarm = first.swarm();
  await first.stopForRecovery();

  const port = freePort();
  const forced = await Manager.forceNewCluster(d, resolveSwarmAddresses({ listenAddr: `127.0.0.1:${port}`, advertiseAddr: "127.0.0.1" }, {}));
  cleanups.push(() => forced.stop());
  expect(forced.nodeId).toBe(first.nodeId);
  expect(forced.swarm().JoinTokens).toEqual(swarm.JoinTokens);
  expect(forced.node("self").ManagerStatus).toEqual({ Leader: true, Reachability: "reachable", Addr: `127.0.0.1:${port}` });
  await Bun.sleep(500); // membership rounds: the forced-out manager is not added back
  const left = forced.node(other.ID);
  expect([left.Status.State, left.ManagerStatus?.Reachability, left.ManagerStatus?.Leader, left.Spec.Labels]).toEqual(["down", "unreachable", false, { keep: "1" }]);
  forced.assertLeader();
  await forced.updateNode(other.ID, left.Version.Index, { ...left.Spec, Role: "worker" });
  expect(await listening(port)).toBe(true);
});
