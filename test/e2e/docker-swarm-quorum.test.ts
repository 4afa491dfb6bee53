/**
 * Three managers with the real docker CLI on three namespace test hosts: a stopped manager shows
 * Unreachable on the others, demoting a live manager then is refused (it would lose the quorum),
 * kill -9 of the leader elects another within seconds and `node ls` keeps working on the survivors,
 * a demotion takes the node out of raft and it continues as a worker, and promoting it back makes
 * it a manager again (Reachable, ControlAvailable, writes work on it).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dockerOk as docker, until } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";

let hosts: TestHosts;
let all: TestHost[];
const ids = new Map<TestHost, string>();
let demotedHost: TestHost | undefined;





/** `docker node ls` MANAGER STATUS by node ID on `host`. */
async function managerStatuses(host: TestHost): Promise<Map<string, string>> {
  const rows = (await docker(host, ["node", "ls", "--format", "{{.ID}}|{{.ManagerStatus}}"])).split("\n");
  return new Map(rows.map((row) => row.split("|") as [string, string]));
}

async function statusOf(host: TestHost, of: TestHost): Promise<string | undefined> {
  return (await managerStatuses(host)).get(ids.get(of)!);
}

/** The host whose node `node ls` on `from` shows as Leader. */
async function leaderSeenFrom(from: TestHost): Promise<TestHost | undefined> {
  const statuses = await managerStatuses(from);
  return all.find((host) => statuses.get(ids.get(host)!) === "Leader");
}

beforeAll(async () => {
  hosts = await createTestHosts({ cluster: "squor", subnet: 33, count: 3 });
  all = [...hosts.hosts];
}, 300_000);

afterAll(async () => {
  if (!hosts) return;
  for (const host of [...all].reverse()) await host.docker(["swarm", "leave", "--force"]).catch(() => {});
  await hosts.teardown();
}, 120_000);

describe("three managers on shoal", () => {
  test("two hosts join with the manager token: one Leader, two Reachable on every manager", async () => {
    const [first, ...others] = all as [TestHost, ...TestHost[]];
    await docker(first, ["swarm", "init", "--advertise-addr", first.address]);
    const token = await docker(first, ["swarm", "join-token", "-q", "manager"]);
    for (const host of others) expect(await docker(host, ["swarm", "join", "--token", token, `${first.address}:2377`])).toBe("This node joined a swarm as a manager.");
    for (const host of all) ids.set(host, await docker(host, ["info", "--format", "{{.Swarm.NodeID}}"]));
    const settled = async (host: TestHost) => [...(await managerStatuses(host)).values()].sort().join(",") === "Leader,Reachable,Reachable";
    await until("one Leader and two Reachable on every manager", async () => (await settled(all[0]!)) && (await settled(all[1]!)) && (await settled(all[2]!)), 20_000);
  }, 90_000);

  test("a stopped manager shows Unreachable on the others, and demoting a live one is refused for quorum", async () => {
    const leader = (await leaderSeenFrom(all[0]!))!;
    const [follower, stopped] = all.filter((host) => host !== leader) as [TestHost, TestHost];
    await stopped.stopDaemon("SIGTERM");
    await until("Unreachable on the leader", async () => (await statusOf(leader, stopped)) === "Unreachable", 10_000);
    await until("Unreachable on the other follower", async () => (await statusOf(follower, stopped)) === "Unreachable", 10_000);
    for (const [from, target] of [[leader, follower], [follower, follower], [follower, leader]] as const) {
      const refused = await from.docker(["node", "demote", ids.get(target)!]);
      expect(refused.exitCode).not.toBe(0);
      expect(refused.stderr).toContain("rpc error: code = FailedPrecondition desc = can't remove member from the raft: this would result in a loss of quorum");
    }
    expect(await docker(leader, ["node", "inspect", ids.get(follower)!, "--format", "{{.Spec.Role}}"])).toBe("manager");
    await stopped.startDaemon();
    await until("Reachable again on both", async () => (await statusOf(leader, stopped)) === "Reachable" && (await statusOf(follower, stopped)) === "Reachable", 20_000);
  }, 90_000);

  test("kill -9 of the leader: another leader within seconds, node ls works on the survivors", async () => {
    const leader = (await leaderSeenFrom(all[0]!))!;
    const survivors = all.filter((host) => host !== leader);
    await leader.stopDaemon("SIGKILL");
    const elapsed = await until(
      "a new leader seen from both survivors",
      async () => {
        const seen = await Promise.all(survivors.map((host) => leaderSeenFrom(host)));
        return seen.every((host) => host && host !== leader && host === seen[0]);
      },
      15_000,
    );
    expect(elapsed).toBeLessThan(15_000);
    for (const host of survivors) await until("the old leader Unreachable", async () => (await statusOf(host, leader)) === "Unreachable", 10_000);
    await docker(survivors[0]!, ["node", "update", "--label-add", "after=failover", ids.get(survivors[1]!)!]);
    await leader.startDaemon();
    await until("the old leader Reachable again", async () => (await statusOf(survivors[0]!, leader)) === "Reachable", 20_000);
    expect(await docker(leader, ["node", "inspect", ids.get(survivors[1]!)!, "--format", "{{index .Spec.Labels \"after\"}}"])).toBe("failover");
  }, 90_000);

  test("docker node demote of the leader: leadership moves, it leaves raft and continues as a worker; promoted back it is a manager again", async () => {
    const demoted = (await leaderSeenFrom(all[0]!))!;
    demotedHost = demoted;
    const id = ids.get(demoted)!;
    expect(await docker(demoted, ["node", "demote", id])).toBe(`Manager ${id} demoted in the swarm.`);
    const others = all.filter((host) => host !== demoted);
    let leader: TestHost | undefined;
    await until("another leader", async () => ((leader = await leaderSeenFrom(others[0]!)), leader !== undefined && leader !== demoted), 15_000);
    await until("no manager status for the demoted node", async () => (await statusOf(leader!, demoted)) === "", 15_000);
    await until(
      "the demoted node runs as a worker",
      async () => (await docker(demoted, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"])) === "active false",
      20_000,
    );
    expect(await docker(leader!, ["info", "--format", "{{.Swarm.Managers}} {{.Swarm.Nodes}}"])).toBe("2 3");
    await until("the demoted node heartbeats as a worker", async () => (await docker(leader!, ["node", "inspect", id, "--format", "{{.Spec.Role}} {{.Status.State}}"])) === "worker ready", 20_000);
    expect(await docker(leader!, ["node", "promote", id])).toBe(`Node ${id} promoted to a manager in the swarm.`);
    await until(
      "the promoted node runs as a manager",
      async () => (await docker(demoted, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}"])) === "active true",
      30_000,
    );
    await until("the promoted node Reachable on the leader", async () => (await statusOf(leader!, demoted)) === "Reachable", 20_000);
    await until("the promoted node Reachable on itself", async () => (await statusOf(demoted, demoted)) === "Reachable", 20_000);
    expect(await docker(leader!, ["info", "--format", "{{.Swarm.Managers}} {{.Swarm.Nodes}}"])).toBe("3 3");
    await docker(demoted, ["node", "update", "--label-add", "after=promote", id]);
    expect(await docker(leader!, ["node", "inspect", id, "--format", "{{.Spec.Role}} {{index .Spec.Labels \"after\"}}"])).toBe("manager promote");
  }, 120_000);

  test("swarm leave on one of two managers needs --force; with it the node leaves raft first and the other keeps serving", async () => {
    // The promoted node is demoted again: two managers are left.
    const id = ids.get(demotedHost!)!;
    const manager = all.find((host) => host !== demotedHost)!;
    expect(await docker(manager, ["node", "demote", id])).toBe(`Manager ${id} demoted in the swarm.`);
    await until("no manager status for the demoted node", async () => (await statusOf(manager, demotedHost!)) === "", 15_000);
    await until("the demoted node runs as a worker", async () => (await docker(demotedHost!, ["info", "--format", "{{.Swarm.ControlAvailable}}"])) === "false", 20_000);
    const leader = (await leaderSeenFrom(manager))!;
    const managers = [...(await managerStatuses(leader)).entries()].filter(([, status]) => status !== "").map(([id]) => id);
    const leaving = all.find((host) => host !== leader && managers.includes(ids.get(host)!))!;
    const refused = await leaving.docker(["swarm", "leave"]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(
      "You are attempting to leave the swarm on a node that is participating as a manager. Removing this node leaves 1 managers out of 2. Without a Raft quorum your swarm will be inaccessible. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.",
    );
    await docker(leaving, ["swarm", "leave", "--force"]);
    expect(await docker(leaving, ["info", "--format", "{{.Swarm.LocalNodeState}}"])).toBe("inactive");
    await until("one manager left", async () => (await docker(leader, ["info", "--format", "{{.Swarm.Managers}}"])) === "1", 15_000);
    expect(await docker(leader, ["node", "inspect", ids.get(leaving)!, "--format", "{{.Spec.Role}}"])).toBe("worker");
    await docker(leader, ["node", "update", "--label-add", "after=leave", ids.get(leader)!]);
  }, 90_000);
});
