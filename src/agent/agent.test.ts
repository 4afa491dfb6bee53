import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ShoalError, silentLogger, sleep, systemClock } from "../lib/index.ts";
import * as managerSide from "../manager/index.ts";
import { Manager, resolveSwarmAddresses, type ManagerDeps } from "../manager/index.ts";
import { LmdbRaftStorage } from "../raft/index.ts";
import { Agent, type AgentDeps } from "./index.ts";
import * as agentSide from "./swarm-protocol.ts";
import { freePort } from "../../test/support/raft-process-cluster.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataRoot(): string {
  const dir = mkdtempSync("/tmp/shoal-agent-");
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const managerFacts = { hostname: "manager1", architecture: "x86_64", nanoCpus: 2e9, memoryBytes: 4 << 30, engineVersion: "0.1.0" };
const workerFacts = { ...managerFacts, hostname: "worker1" };

async function swarm(heartbeatMs = 200): Promise<{ manager: Manager; address: string }> {
  const port = freePort();
  const deps: ManagerDeps = { dataRoot: dataRoot(), clock: systemClock, logger: silentLogger, openRaftStorage: (path, options) => LmdbRaftStorage.open(path, options), tickMs: 20 };
  const manager = await Manager.init(deps, {
    addresses: resolveSwarmAddresses({ listenAddr: `127.0.0.1:${port}`, advertiseAddr: "127.0.0.1" }, {}),
    spec: { Dispatcher: { HeartbeatPeriod: heartbeatMs * 1e6 } },
    facts: managerFacts,
  });
  cleanups.push(() => manager.stop());
  return { manager, address: `127.0.0.1:${port}` };
}

function agentDeps(): AgentDeps {
  return { dataRoot: dataRoot(), clock: systemClock, logger: silentLogger };
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(systemClock, 20);
  }
}

test("the agent declares the manager's methods with the same names and access", () => {
  for (const name of ["GetRootCACertificate", "IssueNodeCertificate", "Heartbeat", "IssueManagerMaterial", "Assignments", "UpdateTaskStatus", "SessionEnding", "ListenSubscriptions", "PublishLogs"] as const) {
    expect(agentSide[name]).toEqual(managerSide[name] as never);
  }
});

test("a worker joins with the worker token: certificate and state on disk, node ready in the store", async () => {
  const { manager, address } = await swarm();
  const deps = agentDeps();
  const agent = await Agent.join(deps, { remoteAddrs: [address], joinToken: manager.swarm().JoinTokens.Worker, advertiseHost: "", facts: workerFacts });
  cleanups.push(() => agent.stop());
  expect(agent.nodeId).toMatch(/^[0-9a-z]{25}$/);
  expect(existsSync(join(deps.dataRoot, "certificates", "swarm-node.crt"))).toBe(true);
  expect(existsSync(join(deps.dataRoot, "swarm", "worker.json"))).toBe(true);
  const node = manager.node(agent.nodeId);
  expect([node.Spec.Role, node.Spec.Availability, node.Status.State, node.Status.Addr, node.Description?.Hostname, node.ManagerStatus]).toEqual([
    "worker",
    "active",
    "ready",
    "127.0.0.1",
    "worker1",
    undefined,
  ]);
  expect(agent.info()).toEqual({
    NodeID: agent.nodeId,
    NodeAddr: "127.0.0.1",
    LocalNodeState: "active",
    ControlAvailable: false,
    Error: "",
    RemoteManagers: [{ NodeID: manager.nodeId, Addr: address }],
  });
  expect(manager.nodes({}).length).toBe(2);
});

test("a wrong token is refused with docker's text and adds no node; a manager token from a node that cannot be a manager is refused", async () => {
  const { manager, address } = await swarm();
  const worker = manager.swarm().JoinTokens.Worker;
  const wrong = worker.slice(0, -25) + "0".repeat(25);
  const deps = agentDeps();
  const refused = await Agent.join(deps, { remoteAddrs: [address], joinToken: wrong, advertiseHost: "", facts: workerFacts }).catch((error) => error);
  expect(refused).toBeInstanceOf(ShoalError);
  expect([refused.code, refused.message]).toEqual(["invalid_argument", "rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster"]);
  expect(existsSync(join(deps.dataRoot, "certificates"))).toBe(false);
  const asManager = await Agent.join(deps, { remoteAddrs: [address], joinToken: manager.swarm().JoinTokens.Manager, advertiseHost: "", facts: workerFacts }).catch((error) => error);
  expect(asManager.message).toContain("rpc error: code = Unimplemented desc = this node cannot join as a manager");
  expect(manager.nodes({}).length).toBe(1);
});

test("a token of another swarm fails CA pinning", async () => {
  const first = await swarm();
  const second = await swarm();
  const refused = await Agent.join(agentDeps(), { remoteAddrs: [first.address], joinToken: second.manager.swarm().JoinTokens.Worker, advertiseHost: "", facts: workerFacts }).catch((error) => error);
  expect(refused.message).toStartWith("remote CA does not match fingerprint. Expected: ");
});

test("a worker that stops heartbeating is marked down, and ready again when it comes back from disk", async () => {
  const { manager, address } = await swarm(100);
  const deps = agentDeps();
  const agent = await Agent.join(deps, { remoteAddrs: [address], joinToken: manager.swarm().JoinTokens.Worker, advertiseHost: "", facts: workerFacts });
  await agent.stop();
  await until(() => manager.node(agent.nodeId).Status.State === "down");
  expect(manager.node(agent.nodeId).Status.Message).toBe("heartbeat failure");
  const again = await Agent.restart(deps);
  cleanups.push(() => again.stop());
  expect(again.nodeId).toBe(agent.nodeId);
  await until(() => manager.node(agent.nodeId).Status.State === "ready");
  await again.leave();
  expect(existsSync(join(deps.dataRoot, "swarm"))).toBe(false);
  expect(existsSync(join(deps.dataRoot, "certificates"))).toBe(false);
  await until(() => manager.node(agent.nodeId).Status.State === "down");
});

test("a node joining with the manager token becomes a raft voter; writes on it are forwarded to the leader", async () => {
  const { manager: leader, address } = await swarm();
  const deps: ManagerDeps = { ...agentDeps(), openRaftStorage: (path, options) => LmdbRaftStorage.open(path, options), tickMs: 20 };
  const port = freePort();
  const outcome = await Agent.joinSwarm(deps, { remoteAddrs: [address], joinToken: leader.swarm().JoinTokens.Manager, advertiseHost: "127.0.0.1", facts: workerFacts, managerPort: port });
  if (outcome.role !== "manager") throw new Error("expected a manager membership");
  const addresses = resolveSwarmAddresses({ listenAddr: `127.0.0.1:${port}`, advertiseAddr: "127.0.0.1" }, {});
  let second = await Manager.join(deps, { ...outcome.membership, addresses });
  cleanups.push(() => second.stop());
  const statuses = (m: Manager) => m.nodes({}).map((node) => `${node.Description?.Hostname}:${node.ManagerStatus?.Leader ? "Leader" : node.ManagerStatus?.Reachability}`).sort();
  expect(statuses(second)).toEqual(["manager1:Leader", "worker1:reachable"]);
  await until(() => statuses(leader).length === 2);
  expect(statuses(leader)).toEqual(["manager1:Leader", "worker1:reachable"]);
  expect(second.info().ControlAvailable).toBe(true);
  expect(second.info().Managers).toBe(2);
  // A write on the follower goes through the leader and is visible on both once it returns.
  const node = second.node("manager1");
  await second.updateNode(node.ID, node.Version?.Index ?? 0, { ...node.Spec, Labels: { x: "y" } });
  expect(second.node("manager1").Spec.Labels).toEqual({ x: "y" });
  await until(() => leader.node("manager1").Spec.Labels?.x === "y");
  // The follower restarts from disk and is a member again.
  await second.stop();
  second = await Manager.restart(deps);
  cleanups.push(() => second.stop());
  expect(statuses(second)).toHaveLength(2);
  const again = second.node("self");
  await second.updateNode("self", again.Version?.Index ?? 0, { ...again.Spec, Labels: { back: "1" } });
  await until(() => leader.node(again.ID).Spec.Labels?.back === "1");
}, 30_000);

test("a promoted worker learns it from a heartbeat, gets manager material over its session and joins raft via Manager.join", async () => {
  const { manager: leader, address } = await swarm();
  const deps: ManagerDeps = { ...agentDeps(), openRaftStorage: (path, options) => LmdbRaftStorage.open(path, options), tickMs: 20 };
  const port = freePort();
  const agent = await Agent.join(deps, { remoteAddrs: [address], joinToken: leader.swarm().JoinTokens.Worker, advertiseHost: "127.0.0.1", facts: workerFacts, listenAddr: `127.0.0.1:${port}` });
  cleanups.push(() => agent.stop());
  expect(agent.state.listenAddr).toBe(`127.0.0.1:${port}`);
  // Not promoted: the manager refuses the material.
  await expect(agent.fetchManagerMaterial(`127.0.0.1:${port}`)).rejects.toThrow("PermissionDenied");
  let promotedManager: Manager | undefined;
  const promoted = new Promise<void>((resolve) => {
    agent.onPromoted = async () => {
      const addresses = resolveSwarmAddresses({ listenAddr: agent.state.listenAddr!, advertiseAddr: "127.0.0.1" }, {});
      const membership = await agent.fetchManagerMaterial(addresses.advertiseAddr);
      await agent.stop();
      promotedManager = await Manager.join(deps, { ...membership, addresses });
      cleanups.push(() => promotedManager!.stop());
      resolve();
    };
  });
  const node = leader.node(agent.nodeId);
  await leader.updateNode(node.ID, node.Version?.Index ?? 0, { ...node.Spec, Role: "manager" });
  await promoted;
  const second = promotedManager!;
  expect(second.nodeId).toBe(agent.nodeId);
  expect(second.info().ControlAvailable).toBe(true);
  await until(() => leader.node(agent.nodeId).ManagerStatus?.Reachability === "reachable" && leader.info().Managers === 2);
  expect(leader.node(agent.nodeId).ManagerStatus?.Addr).toBe(`127.0.0.1:${port}`);
  const self = second.node("self");
  await second.updateNode("self", self.Version?.Index ?? 0, { ...self.Spec, Labels: { promoted: "yes" } });
  await until(() => leader.node(agent.nodeId).Spec.Labels?.promoted === "yes");
}, 30_000);
