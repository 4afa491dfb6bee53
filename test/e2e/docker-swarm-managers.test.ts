/**
 * A second manager with the real docker CLI on two namespace test hosts: `docker swarm join` with the
 * manager token (learner, then voter once caught up), `node ls` on both managers (Leader and
 * Reachable), `info` on the second (ControlAvailable, 2 managers), a write on the second manager
 * (forwarded to the leader) seen on the first, and the second manager's daemon restarting into the
 * raft group.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dockerOk as docker, until } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";

let hosts: TestHosts;
let first: TestHost;
let second: TestHost;
let firstId = "";
let secondId = "";




/** `ID|ManagerStatus` rows of `docker node ls` on `host`, sorted. */
async function managerStatuses(host: TestHost): Promise<string[]> {
  return (await docker(host, ["node", "ls", "--format", "{{.ID}}|{{.ManagerStatus}}"])).split("\n").sort();
}

beforeAll(async () => {
  hosts = await createTestHosts({ cluster: "smgr", subnet: 32, count: 2 });
  [first, second] = hosts.hosts as [TestHost, TestHost];
}, 300_000);

afterAll(async () => {
  if (!hosts) return;
  for (const host of [...hosts.hosts].reverse()) await host.docker(["swarm", "leave", "--force"]).catch(() => {});
  await hosts.teardown();
}, 120_000);

describe("a second manager on shoal", () => {
  test("docker swarm join with the manager token makes the second host a manager", async () => {
    const out = await docker(first, ["swarm", "init", "--advertise-addr", first.address]);
    firstId = /current node \(([0-9a-z]{25})\) is now a manager/.exec(out)![1]!;
    const managerToken = await docker(first, ["swarm", "join-token", "-q", "manager"]);
    expect(await docker(second, ["swarm", "join", "--token", managerToken, `${first.address}:2377`])).toBe("This node joined a swarm as a manager.");
    const info = await docker(second, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.Managers}} {{.Swarm.Nodes}} {{.Swarm.NodeID}}"]);
    const [state, control, managers, nodes, id] = info.split(" ");
    expect([state, control, managers, nodes]).toEqual(["active", "true", "2", "2"]);
    secondId = id!;
  }, 60_000);

  test("docker node ls on either manager shows the first as Leader and the second as Reachable", async () => {
    const expected = [`${firstId}|Leader`, `${secondId}|Reachable`].sort();
    expect(await managerStatuses(first)).toEqual(expected);
    expect(await managerStatuses(second)).toEqual(expected);
    expect(await docker(first, ["node", "inspect", secondId, "--format", "{{.Spec.Role}} {{.ManagerStatus.Addr}} {{.Status.State}}"])).toBe(`manager ${second.address}:2377 ready`);
  }, 60_000);

  test("a write on the second manager is forwarded to the leader and shows on the first", async () => {
    await docker(second, ["node", "update", "--label-add", "x=y", firstId]);
    expect(await docker(second, ["node", "inspect", firstId, "--format", "{{index .Spec.Labels \"x\"}}"])).toBe("y");
    await until("label on the first manager", async () => (await docker(first, ["node", "inspect", firstId, "--format", "{{index .Spec.Labels \"x\"}}"])) === "y", 5000);
  }, 60_000);

  test("after the second manager's daemon restarts it is back in raft: one Leader, the other Reachable", async () => {
    expect(await second.stopDaemon("SIGTERM")).toBe(0);
    await second.startDaemon();
    // Two voters: while the second was away the first lost its quorum, so either may lead afterwards.
    const settled = async (host: TestHost) => {
      const statuses = (await managerStatuses(host)).map((row) => row.split("|")[1]).sort();
      return JSON.stringify(statuses) === JSON.stringify(["Leader", "Reachable"]);
    };
    await until("one leader after the restart, seen from both", async () => (await settled(first)) && (await settled(second)), 20_000);
    expect(await docker(second, ["info", "--format", "{{.Swarm.NodeID}} {{.Swarm.ControlAvailable}} {{.Swarm.Managers}}"])).toBe(`${secondId} true 2`);
    await docker(second, ["node", "update", "--label-add", "after=restart", secondId]);
    await until("write after restart on the first manager", async () => (await docker(first, ["node", "inspect", secondId, "--format", "{{index .Spec.Labels \"after\"}}"])) === "restart", 5000);
  }, 90_000);
});
