/**
 * Walkthrough step 2 with the real docker CLI on two namespace test hosts: init on the first (1 s
 * dispatcher heartbeat so failure detection is quick), a wrong token refused, a worker joining with
 * the worker token, both nodes Ready in `node ls`, the worker's view (`info`, `node ls` refused), a
 * worker daemon restart that rejoins, and `swarm leave` on the worker → Down on the manager.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dockerOk as docker, until } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";

let hosts: TestHosts;
let manager: TestHost;
let worker: TestHost;
let managerId = "";
let workerId = "";
let workerToken = "";




beforeAll(async () => {
  hosts = await createTestHosts({ cluster: "sjoin", subnet: 31, count: 2 });
  [manager, worker] = hosts.hosts as [TestHost, TestHost];
}, 300_000);

afterAll(async () => {
  if (!hosts) return;
  for (const host of hosts.hosts) await host.docker(["swarm", "leave", "--force"]).catch(() => {});
  await hosts.teardown();
}, 120_000);

describe("docker swarm join on shoal", () => {
  test("docker swarm init on the first host", async () => {
    const out = await docker(manager, ["swarm", "init", "--advertise-addr", manager.address, "--dispatcher-heartbeat", "1s"]);
    managerId = /current node \(([0-9a-z]{25})\) is now a manager/.exec(out)![1]!;
    workerToken = await docker(manager, ["swarm", "join-token", "-q", "worker"]);
    expect(out).toContain(`docker swarm join --token ${workerToken} ${manager.address}:2377`);
  }, 60_000);

  test("a wrong token is refused with docker's error and changes nothing", async () => {
    const wrong = workerToken.slice(0, -25) + "0".repeat(25);
    const refused = await worker.docker(["swarm", "join", "--token", wrong, `${manager.address}:2377`]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain("rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster");
    expect(await docker(worker, ["info", "--format", "{{.Swarm.LocalNodeState}}"])).toBe("inactive");
    expect(await docker(manager, ["node", "ls", "-q"])).toBe(managerId);
  }, 60_000);

  test("docker swarm join with the worker token makes the second host a worker", async () => {
    const out = await docker(worker, ["swarm", "join", "--token", workerToken, `${manager.address}:2377`]);
    expect(out).toBe("This node joined a swarm as a worker.");
    const info = await docker(worker, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}} {{.Swarm.NodeAddr}} {{range .Swarm.RemoteManagers}}{{.NodeID}}@{{.Addr}}{{end}}"]);
    const [state, control, id, addr, remote] = info.split(" ");
    expect([state, control, addr, remote]).toEqual(["active", "false", worker.address, `${managerId}@${manager.address}:2377`]);
    expect(id).toMatch(/^[0-9a-z]{25}$/);
    workerId = id!;
    const again = await worker.docker(["swarm", "join", "--token", workerToken, `${manager.address}:2377`]);
    expect(again.stderr).toContain("This node is already part of a swarm.");
  }, 60_000);

  test("docker node ls on the manager shows both nodes Ready, the worker without manager status", async () => {
    const rows = (await docker(manager, ["node", "ls", "--format", "{{.ID}}|{{.Hostname}}|{{.Status}}|{{.Availability}}|{{.ManagerStatus}}"])).split("\n").sort();
    expect(rows).toEqual([`${managerId}|${manager.hostname}|Ready|Active|Leader`, `${workerId}|${worker.hostname}|Ready|Active|`].sort());
    expect(await docker(manager, ["node", "inspect", workerId, "--format", "{{.Spec.Role}} {{.Status.Addr}}"])).toBe(`worker ${worker.address}`);
    expect(await docker(manager, ["info", "--format", "{{.Swarm.Nodes}} {{.Swarm.Managers}}"])).toBe("2 1");
  }, 60_000);

  test("docker node ls on the worker is refused with docker's text", async () => {
    const refused = await worker.docker(["node", "ls"]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain(
      "This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.",
    );
  }, 30_000);

  test("after a worker daemon restart it is back in the swarm with the same ID and heartbeats again", async () => {
    const state = async () => docker(manager, ["node", "inspect", workerId, "--format", "{{.Status.State}}"]);
    expect(await worker.stopDaemon("SIGTERM")).toBe(0);
    await worker.startDaemon();
    expect(await docker(worker, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}} {{.Swarm.ControlAvailable}}"])).toBe(`active ${workerId} false`);
    // Still ready on the manager 4 s (more than the 3 s grace) after the restart: the session is back.
    await Bun.sleep(4000);
    expect(await state()).toBe("ready");
  }, 60_000);

  test("docker swarm leave on the worker: Node left the swarm, and the manager marks it Down", async () => {
    expect(await docker(worker, ["swarm", "leave"])).toBe("Node left the swarm.");
    expect(await docker(worker, ["info", "--format", "{{.Swarm.LocalNodeState}}"])).toBe("inactive");
    // 3 missed periods of 1 s, checked every 0.5 s, plus the poll.
    await until("worker Down on the manager", async () => (await docker(manager, ["node", "inspect", workerId, "--format", "{{.Status.State}}"])) === "down", 8000);
    expect(await docker(manager, ["node", "ls", "--filter", `id=${workerId}`, "--format", "{{.Status}}"])).toBe("Down");
  }, 60_000);
});
