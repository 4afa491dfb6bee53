/**
 * Membership faults with the shoal CLI on three namespace test hosts:
 * - a join with the manager token that fails after the manager recorded the node (the joining
 *   manager cannot listen on its --listen-addr) leaves nothing behind: no Node object, no raft
 *   learner; the same host then joins properly;
 * - a manager demoted while its daemon is down learns it when it comes back and continues as a
 *   worker, as a running one does.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { shoalOk as shoal, until } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";

let hosts: TestHosts;
let manager1: TestHost;
let worker1: TestHost;
let worker2: TestHost;
const ids = new Map<TestHost, string>();

async function format(host: TestHost, args: string[], template: string): Promise<string> {
  return (await shoal(host, [...args, "--format", template])).trim();
}

/** `node ls` on manager1 as `HOSTNAME STATUS MANAGER-STATUS` rows, sorted. */
async function nodeRows(): Promise<string[]> {
  return (await format(manager1, ["node", "ls"], "{{.Hostname}} {{.Status}} {{.ManagerStatus}}")).split("\n").map((row) => row.trim()).sort();
}

/** `STATE MANAGER-STATUS` of `host`'s node on manager1 (by ID: a node left behind may share its hostname). */
async function statusOf(host: TestHost): Promise<string> {
  return format(manager1, ["node", "inspect", ids.get(host)!], "{{.Spec.Role}} {{.Status.State}} {{with .ManagerStatus}}{{if .Leader}}leader{{else}}{{.Reachability}}{{end}}{{end}}");
}

/** Node IDs that manager1's raft membership loop added as learners and never removed again (from its log). */
function learnersLeftBehind(): string[] {
  const log = readFileSync(manager1.daemon!.logFile, "utf8");
  const added = [...log.matchAll(/msg="manager added to raft as a learner" node\.id=(\w+)/g)].map((match) => match[1]!);
  const removed = new Set([...log.matchAll(/msg="[^"]*removed from raft[^"]*" node\.id=(\w+)/g)].map((match) => match[1]!));
  const managers = new Set([...ids.values()]);
  return added.filter((id) => !removed.has(id) && !managers.has(id));
}

beforeAll(async () => {
  hosts = await createTestHosts({ cluster: "snod2", subnet: 72, count: 3 });
  [manager1, worker1, worker2] = hosts.hosts as [TestHost, TestHost, TestHost];
}, 300_000);

afterAll(async () => {
  if (!hosts) return;
  for (const host of [...hosts.hosts].reverse()) await host.shoal(["swarm", "leave", "--force"]).catch(() => {});
  await hosts.teardown();
}, 120_000);

describe("swarm membership faults", () => {
  test("a manager join that fails after the manager recorded the node leaves no node and no raft learner", async () => {
    await shoal(manager1, ["swarm", "init", "--advertise-addr", manager1.address]);
    ids.set(manager1, await format(manager1, ["info"], "{{.Swarm.NodeID}}"));
    const token = (await shoal(manager1, ["swarm", "join-token", "-q", "manager"])).trim();
    // An address worker2 does not have: its manager cannot listen once the token has let it in.
    const foreign = `${worker2.address.split(".").slice(0, 3).join(".")}.99:2377`;
    const failed = await worker2.shoal(["swarm", "join", "--token", token, "--listen-addr", foreign, `${manager1.address}:2377`]);
    expect([failed.exitCode, failed.stdout, failed.stderr]).toEqual([1, "", `Error response from daemon: cannot listen on ${foreign} for the swarm (EADDRNOTAVAIL): choose another --listen-addr\n`]);
    expect(await format(worker2, ["info"], "{{.Swarm.LocalNodeState}}")).toBe("inactive");

    expect(await nodeRows()).toEqual(["manager1 Ready Leader"]);
    expect(await format(manager1, ["info"], "{{.Swarm.Managers}} {{.Swarm.Nodes}}")).toBe("1 1");
    await until("no raft learner left behind", async () => learnersLeftBehind().length === 0, 10_000);

    // The same host joins properly afterwards.
    expect(await shoal(worker2, ["swarm", "join", "--token", token, `${manager1.address}:2377`])).toBe("This node joined a swarm as a manager.\n");
    ids.set(worker2, await format(worker2, ["info"], "{{.Swarm.NodeID}}"));
    await until("worker2 Reachable", async () => (await nodeRows()).join(",") === "manager1 Ready Leader,worker2 Ready Reachable", 20_000);
    expect(learnersLeftBehind()).toEqual([]);
  }, 120_000);

  test("a manager demoted while its daemon is down continues as a worker when it comes back", async () => {
    const token = (await shoal(manager1, ["swarm", "join-token", "-q", "manager"])).trim();
    for (const host of [worker1, worker2]) {
      if ((await format(host, ["info"], "{{.Swarm.LocalNodeState}}")) !== "inactive") continue; // worker2 joined in the test above
      expect(await shoal(host, ["swarm", "join", "--token", token, `${manager1.address}:2377`])).toBe("This node joined a swarm as a manager.\n");
      ids.set(host, await format(host, ["info"], "{{.Swarm.NodeID}}"));
    }
    await until("three managers", async () => (await statusOf(worker1)) === "manager ready reachable" && (await statusOf(worker2)) === "manager ready reachable", 20_000);

    await worker1.stopDaemon("SIGTERM");
    await until("worker1 Unreachable", async () => (await statusOf(worker1)).endsWith(" unreachable"), 15_000);
    expect(await shoal(manager1, ["node", "demote", "worker1"])).toBe("Manager worker1 demoted in the swarm.\n");
    await until("worker1 out of raft", async () => (await statusOf(worker1)).startsWith("worker ") && !(await statusOf(worker1)).endsWith("reachable"), 20_000);

    await worker1.startDaemon(40_000);
    await until("worker1 runs as a worker", async () => (await format(worker1, ["info"], "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}")) === `active false ${ids.get(worker1)}`, 40_000);
    await until("worker1 Ready as a worker on the manager", async () => (await statusOf(worker1)) === "worker ready", 30_000);
    expect(await format(manager1, ["info"], "{{.Swarm.Managers}}")).toBe("2");
    // It can be promoted again.
    expect(await shoal(manager1, ["node", "promote", "worker1"])).toBe("Node worker1 promoted to a manager in the swarm.\n");
    await until("worker1 Reachable again", async () => (await statusOf(worker1)) === "manager ready reachable", 40_000);
  }, 240_000);
});
