/**
 * Walkthrough step 1 with the real docker CLI against one shoal daemon (root netns, `--bridge none`):
 * swarm init, info, node ls / inspect, join-token, a refused second init, a daemon restart that keeps
 * the swarm, and leave (refused without --force on the last manager).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:net";
import { freePort } from "../support/raft-process-cluster.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

let daemon: TestDaemon;
let port: number;
let nodeId = "";

async function docker(args: string[]): Promise<string> {
  const result = await daemon.docker(args);
  if (result.exitCode !== 0) throw new Error(`docker ${args.join(" ")} failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout.trim();
}

function listening(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

beforeAll(async () => {
  daemon = await startTestDaemon();
  port = freePort();
}, 300_000);

afterAll(async () => {
  if (!daemon) return;
  await daemon.stop().catch(() => {});
  await daemon.dispose();
  expect(await listening()).toBe(false);
}, 60_000);

describe("docker swarm init on shoal", () => {
  test("docker swarm init makes this node the manager and prints the join command", async () => {
    const out = await docker(["swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr", `127.0.0.1:${port}`]);
    const match = /^Swarm initialized: current node \(([0-9a-z]{25})\) is now a manager\.$/m.exec(out);
    expect(match).not.toBeNull();
    nodeId = match![1]!;
    expect(out).toContain("To add a worker to this swarm, run the following command:");
    expect(out).toMatch(new RegExp(`docker swarm join --token SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25} 127\\.0\\.0\\.1:${port}`));
    expect(out).toContain("To add a manager to this swarm, run 'docker swarm join-token manager' and follow the instructions.");
    expect(await listening()).toBe(true);
  }, 60_000);

  test("docker info shows an active manager of one node", async () => {
    expect(await docker(["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Nodes}} {{.Swarm.Managers}}"])).toBe("active true 1 1");
    expect(await docker(["info", "--format", "{{.Swarm.NodeID}} {{.Swarm.NodeAddr}} {{.Swarm.Cluster.Spec.Orchestration.TaskHistoryRetentionLimit}}"])).toBe(`${nodeId} 127.0.0.1 5`);
    const text = await docker(["info"]);
    expect(text).toContain("Swarm: active");
    expect(text).toContain("Is Manager: true");
    expect(text).toContain("Heartbeat Period: 5 seconds");
    expect(text).toContain("Expiry Duration: 3 months");
  }, 30_000);

  test("docker node ls marks this node, Ready, Active, Leader; node inspect self works", async () => {
    const rows = (await docker(["node", "ls", "--format", "{{.ID}}|{{.Self}}|{{.Status}}|{{.Availability}}|{{.ManagerStatus}}"])).split("\n");
    expect(rows).toEqual([`${nodeId}|true|Ready|Active|Leader`]);
    const table = (await docker(["node", "ls"])).split("\n");
    expect(table[0]).toMatch(/^ID\s+HOSTNAME\s+STATUS\s+AVAILABILITY\s+MANAGER STATUS\s+ENGINE VERSION$/);
    expect(table[1]).toMatch(new RegExp(`^${nodeId} \\*\\s+\\S+\\s+Ready\\s+Active\\s+Leader\\s+\\S+`));
    expect(await docker(["node", "inspect", "self", "--format", "{{.Spec.Role}} {{.Status.State}}"])).toBe("manager ready");
    expect(await docker(["node", "ls", "-q", "--filter", "role=worker"])).toBe("");
  }, 30_000);

  test("docker swarm join-token prints the tokens", async () => {
    const worker = await docker(["swarm", "join-token", "-q", "worker"]);
    expect(worker).toMatch(/^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/);
    const manager = await docker(["swarm", "join-token", "-q", "manager"]);
    expect(manager).not.toBe(worker);
    expect(await docker(["swarm", "join-token", "manager"])).toContain(`docker swarm join --token ${manager} 127.0.0.1:${port}`);
  }, 30_000);

  test("a second init is refused with docker's text", async () => {
    const result = await daemon.docker(["swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr", `127.0.0.1:${port}`]);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('This node is already part of a swarm. Use "docker swarm leave" to leave this swarm and join another one.');
  }, 30_000);

  test("after a daemon restart the swarm is back with the same node", async () => {
    const worker = await docker(["swarm", "join-token", "-q", "worker"]);
    expect(await daemon.stop()).toBe(0);
    expect(await listening()).toBe(false);
    await daemon.restart();
    expect(await docker(["info", "--format", "{{.Swarm.NodeID}} {{.Swarm.LocalNodeState}}"])).toBe(`${nodeId} active`);
    expect(await docker(["node", "ls", "--format", "{{.ID}}|{{.Self}}|{{.Status}}|{{.ManagerStatus}}"])).toBe(`${nodeId}|true|Ready|Leader`);
    expect(await docker(["swarm", "join-token", "-q", "worker"])).toBe(worker);
    expect(await listening()).toBe(true);
  }, 60_000);

  test("docker node update, demote, rm and swarm update/join-token --rotate change the swarm or are refused as docker's are", async () => {
    await docker(["node", "update", "--availability", "drain", "--label-add", "zone=a", "self"]);
    expect(await docker(["node", "inspect", "self", "--format", "{{.Spec.Availability}} {{index .Spec.Labels \"zone\"}}"])).toBe("drain a");
    expect(await docker(["node", "ls", "--format", "{{.Availability}}"])).toBe("Drain");
    await docker(["node", "update", "--availability", "active", "--label-rm", "zone", "self"]);
    expect(await docker(["node", "inspect", "self", "--format", "{{.Spec.Availability}} {{len .Spec.Labels}}"])).toBe("active 0");
    const demote = await daemon.docker(["node", "demote", "self"]);
    expect(demote.exitCode).not.toBe(0);
    expect(demote.stderr).toContain("attempting to demote the last manager of the swarm");
    const remove = await daemon.docker(["node", "rm", "--force", "self"]);
    expect(remove.exitCode).not.toBe(0);
    expect(remove.stderr).toContain("is a cluster manager and is a member of the raft cluster");
    const before = await docker(["swarm", "join-token", "-q", "worker"]);
    const rotated = await docker(["swarm", "join-token", "--rotate", "-q", "worker"]);
    expect(rotated).toMatch(/^SWMTKN-1-/);
    expect(rotated).not.toBe(before);
    expect(await docker(["swarm", "join-token", "-q", "worker"])).toBe(rotated);
    await docker(["swarm", "update", "--task-history-limit", "3"]);
    expect(await docker(["info", "--format", "{{.Swarm.Cluster.Spec.Orchestration.TaskHistoryRetentionLimit}}"])).toBe("3");
  }, 60_000);

  test("docker swarm leave needs --force on the last manager, then the node is in no swarm", async () => {
    const refused = await daemon.docker(["swarm", "leave"]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.");
    expect(await docker(["swarm", "leave", "--force"])).toBe("Node left the swarm.");
    expect(await docker(["info", "--format", "{{.Swarm.LocalNodeState}}"])).toBe("inactive");
    expect(await listening()).toBe(false);
    const notManager = await daemon.docker(["node", "ls"]);
    expect(notManager.exitCode).not.toBe(0);
    expect(notManager.stderr).toContain("This node is not a swarm manager.");
  }, 30_000);
});
