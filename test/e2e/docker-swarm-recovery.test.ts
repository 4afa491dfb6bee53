/**
 * Three managers and a worker with the real docker CLI on four namespace test hosts: the whole swarm
 * stopped (SIGTERM) and started again comes back from disk with the same IDs, roles, tokens and data
 * (the worker Ready again with its ID and role); then
 * kill -9 of two managers leaves the survivor without a leader (`node ls` answers Docker's "The
 * swarm does not have a leader…"), and `swarm init --force-new-cluster` makes it the only raft
 * member of a swarm that kept its data; the dead managers show Down/Unreachable and can be demoted
 * and removed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dockerOk as docker, until } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";

const NO_LEADER = "The swarm does not have a leader. It's possible that too few managers are online. Make sure more than half of the managers are online.";

let hosts: TestHosts;
/** The three managers. */
let all: TestHost[];
let worker: TestHost;
const ids = new Map<TestHost, string>();





/** `docker node ls` rows by node ID on `host`: "ROLE-ish MANAGER STATUS|STATUS". */
async function nodeRows(host: TestHost): Promise<Map<string, { manager: string; status: string }>> {
  const rows = (await docker(host, ["node", "ls", "--format", "{{.ID}}|{{.ManagerStatus}}|{{.Status}}"])).split("\n");
  return new Map(rows.map((row) => row.split("|") as [string, string, string]).map(([id, manager, status]) => [id, { manager, status }]));
}

async function managerStatuses(host: TestHost): Promise<string> {
  return [...(await nodeRows(host)).values()].flatMap((row) => (row.manager ? [row.manager] : [])).sort().join(",");
}

beforeAll(async () => {
  hosts = await createTestHosts({ cluster: "srecov", subnet: 34, count: 4 });
  all = hosts.hosts.slice(0, 3);
  worker = hosts.hosts[3]!;
}, 300_000);

afterAll(async () => {
  if (!hosts) return;
  for (const host of [...hosts.hosts].reverse()) await host.docker(["swarm", "leave", "--force"]).catch(() => {});
  await hosts.teardown();
}, 120_000);

describe("swarm recovery on shoal", () => {
  test("three managers and a worker: one Leader, two Reachable", async () => {
    const [first, ...others] = all as [TestHost, ...TestHost[]];
    // A 1 s dispatcher heartbeat: a worker that did not come back after the restart is Down within 3 s.
    await docker(first, ["swarm", "init", "--advertise-addr", first.address, "--dispatcher-heartbeat", "1s"]);
    const token = await docker(first, ["swarm", "join-token", "-q", "manager"]);
    for (const host of others) expect(await docker(host, ["swarm", "join", "--token", token, `${first.address}:2377`])).toBe("This node joined a swarm as a manager.");
    const workerToken = await docker(first, ["swarm", "join-token", "-q", "worker"]);
    expect(await docker(worker, ["swarm", "join", "--token", workerToken, `${first.address}:2377`])).toBe("This node joined a swarm as a worker.");
    for (const host of hosts.hosts) ids.set(host, await docker(host, ["info", "--format", "{{.Swarm.NodeID}}"]));
    await until("one Leader and two Reachable", async () => (await managerStatuses(first)) === "Leader,Reachable,Reachable", 20_000);
    expect((await nodeRows(first)).get(ids.get(worker)!)).toEqual({ manager: "", status: "Ready" });
  }, 90_000);

  test("the whole swarm stopped and started again: same IDs, roles, tokens and data, a Leader, the worker Ready", async () => {
    const [first] = all as [TestHost];
    await docker(first, ["node", "update", "--label-add", "restart=kept", ids.get(first)!]);
    const tokens = [await docker(first, ["swarm", "join-token", "-q", "worker"]), await docker(first, ["swarm", "join-token", "-q", "manager"])];
    await Promise.all(hosts.hosts.map((host) => host.stopDaemon("SIGTERM")));
    await Promise.all(hosts.hosts.map((host) => host.startDaemon(40_000)));
    for (const host of all) expect(await docker(host, ["info", "--format", "{{.Swarm.NodeID}} {{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"])).toBe(`${ids.get(host)} active true`);
    await until("one Leader and two Reachable after the restart", async () => (await managerStatuses(first)) === "Leader,Reachable,Reachable", 20_000);
    for (const host of all) {
      expect(await docker(first, ["node", "inspect", ids.get(host)!, "--format", "{{.Spec.Role}}"])).toBe("manager");
      expect([await docker(host, ["swarm", "join-token", "-q", "worker"]), await docker(host, ["swarm", "join-token", "-q", "manager"])]).toEqual(tokens);
    }
    expect(await docker(all[2]!, ["node", "inspect", ids.get(first)!, "--format", '{{index .Spec.Labels "restart"}}'])).toBe("kept");
    // The worker rejoins its session with the same identity and role, and is Ready.
    expect(await docker(worker, ["info", "--format", "{{.Swarm.NodeID}} {{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"])).toBe(`${ids.get(worker)} active false`);
    // Still Ready 5 s (more than the 3 s grace a new leader gives every node) after the restart: its session is back.
    await Bun.sleep(5000);
    expect(await docker(first, ["node", "inspect", ids.get(worker)!, "--format", "{{.Spec.Role}} {{.Status.State}}"])).toBe("worker ready");
    expect((await nodeRows(first)).size).toBe(4);
  }, 120_000);

  test("two managers killed: no leader on the survivor; swarm init --force-new-cluster brings it back with the data", async () => {
    const [survivor, ...dead] = all as [TestHost, ...TestHost[]];
    await docker(survivor, ["node", "update", "--label-add", "before=1", ids.get(dead[0]!)!]);
    await Promise.all(dead.map((host) => host.stopDaemon("SIGKILL")));
    let refusal = "";
    await until(
      "node ls refused for want of a leader",
      async () => {
        const result = await survivor.docker(["node", "ls"]);
        refusal = result.stderr;
        return result.exitCode !== 0 && result.stderr.includes(NO_LEADER);
      },
      15_000,
    );
    expect(refusal).toContain(`Error response from daemon: ${NO_LEADER}`);

    const init = await docker(survivor, ["swarm", "init", "--force-new-cluster", "--advertise-addr", survivor.address]);
    expect(init).toContain(`Swarm initialized: current node (${ids.get(survivor)}) is now a manager.`);
    const rows = await nodeRows(survivor);
    expect(rows.get(ids.get(survivor)!)).toEqual({ manager: "Leader", status: "Ready" });
    for (const host of dead) expect(rows.get(ids.get(host)!)).toEqual({ manager: "Unreachable", status: "Down" });
    expect(await docker(survivor, ["node", "inspect", ids.get(dead[0]!)!, "--format", '{{index .Spec.Labels "before"}}'])).toBe("1");
    expect(await docker(survivor, ["info", "--format", "{{.Swarm.NodeID}} {{.Swarm.Managers}} {{.Swarm.Nodes}}"])).toBe(`${ids.get(survivor)} 3 4`);
    await docker(survivor, ["node", "update", "--label-add", "after=1", ids.get(survivor)!]);
    expect(await docker(survivor, ["node", "inspect", "self", "--format", '{{index .Spec.Labels "after"}} {{index .Spec.Labels "restart"}}'])).toBe("1 kept");

    // The dead managers can be demoted, then removed.
    for (const host of dead) {
      await docker(survivor, ["node", "demote", ids.get(host)!]);
      await until("no manager status for the demoted node", async () => (await nodeRows(survivor)).get(ids.get(host)!)?.manager === "", 10_000);
      await docker(survivor, ["node", "rm", ids.get(host)!]);
    }
    expect(await docker(survivor, ["info", "--format", "{{.Swarm.Managers}} {{.Swarm.Nodes}}"])).toBe("1 2");
  }, 120_000);

  test("the forced manager restarts alone as Leader with its data", async () => {
    const [survivor] = all as [TestHost];
    await survivor.stopDaemon("SIGTERM");
    await survivor.startDaemon(40_000);
    await until("Leader again", async () => (await managerStatuses(survivor)) === "Leader", 15_000);
    expect(await docker(survivor, ["node", "inspect", "self", "--format", '{{index .Spec.Labels "after"}}'])).toBe("1");
    await docker(survivor, ["node", "update", "--label-add", "again=1", "self"]);
  }, 60_000);
});
