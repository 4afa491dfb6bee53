/**
 * Walkthrough steps 1, 2, 7 (node side), 8, 9 (detection) and 10 with the shoal CLI exactly as the
 * walkthrough writes them, on three namespace test hosts (manager1, worker1, worker2) with default
 * settings, checking the output text; the node steps the docker suites do not cover are checked with
 * the real docker CLI against the same daemons (drain/pause/active on a worker, `node inspect
 * --pretty`, labels, Down after kill -9).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dockerOk as docker, shoalOk as shoal, until } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";

const WORKER_REFUSAL =
  "Error response from daemon: This node is not a swarm manager. Worker nodes can't be used to view or modify cluster state. Please run this command on a manager node or promote the current node to a manager.\n";
const INVALID_TOKEN = "Error response from daemon: rpc error: code = InvalidArgument desc = A valid join token is necessary to join this cluster\n";
const TOKEN = /SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}/;

let hosts: TestHosts;
let manager1: TestHost;
let worker1: TestHost;
let worker2: TestHost;
const ids = new Map<TestHost, string>();
let workerToken = "";
let managerToken = "";

/** The lines of `shoal info` (or `docker info`) from ` Swarm:` up to the next top-level entry. */
async function swarmLines(host: TestHost, cli: "shoal" | "docker" = "shoal"): Promise<string[]> {
  const lines = (cli === "shoal" ? await shoal(host, ["info"]) : (await host.docker(["info"])).stdout).split("\n");
  const start = lines.findIndex((line) => line.startsWith(" Swarm: "));
  const end = lines.findIndex((line, index) => index > start && /^ \S/.test(line));
  return lines.slice(start, end);
}

/** `shoal node ls` rows on `host` as `HOSTNAME STATUS AVAILABILITY MANAGER-STATUS`, sorted. */
async function nodeRows(host: TestHost): Promise<string[]> {
  return (await shoal(host, ["node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}"]))
    .trim()
    .split("\n")
    .map((row) => row.trim())
    .sort();
}

async function managerStatusOf(host: TestHost): Promise<string> {
  return (await shoal(manager1, ["node", "inspect", ids.get(host)!, "--format", "{{if .ManagerStatus}}{{.ManagerStatus.Reachability}}{{end}}"])).trim();
}

async function isManager(host: TestHost): Promise<boolean> {
  return (await shoal(host, ["info", "--format", "{{.Swarm.ControlAvailable}}"])).trim() === "true";
}

beforeAll(async () => {
  hosts = await createTestHosts({ cluster: "snode", subnet: 71, count: 3 });
  [manager1, worker1, worker2] = hosts.hosts as [TestHost, TestHost, TestHost];
}, 300_000);

afterAll(async () => {
  if (!hosts) return;
  for (const host of [...hosts.hosts].reverse()) await host.shoal(["swarm", "leave", "--force"]).catch(() => {});
  await hosts.teardown();
}, 120_000);

describe("walkthrough steps 1, 2, 7, 8, 9, 10 with the shoal CLI", () => {
  test("1. shoal swarm init prints the node ID and the join command", async () => {
    const out = await shoal(manager1, ["swarm", "init", "--advertise-addr", manager1.address]);
    const match =
      /^Swarm initialized: current node \(([0-9a-z]{25})\) is now a manager\.\n\nTo add a worker to this swarm, run the following command:\n\n {4}shoal swarm join --token (SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}) (\S+)\n\nTo add a manager to this swarm, run 'shoal swarm join-token manager' and follow the instructions\.\n$/.exec(
        out,
      );
    expect(match, out).not.toBeNull();
    ids.set(manager1, match![1]!);
    workerToken = match![2]!;
    expect(match![3]).toBe(`${manager1.address}:2377`);
    expect((await shoal(manager1, ["swarm", "join-token", "-q", "worker"])).trim()).toBe(workerToken);
  }, 60_000);

  test("1. shoal info shows the Swarm section with SwarmKit's defaults", async () => {
    const clusterId = (await shoal(manager1, ["info", "--format", "{{.Swarm.Cluster.ID}}"])).trim();
    expect(clusterId).toMatch(/^[0-9a-z]{25}$/);
    expect(await swarmLines(manager1)).toEqual([
      " Swarm: active",
      `  NodeID: ${ids.get(manager1)}`,
      "  Is Manager: true",
      `  ClusterID: ${clusterId}`,
      "  Managers: 1",
      "  Nodes: 1",
      "  Default Address Pool: 10.0.0.0/8  ",
      "  SubnetSize: 24",
      "  Data Path Port: 4789",
      "  Orchestration:",
      "   Task History Retention Limit: 5",
      "  Raft:",
      "   Snapshot Interval: 10000",
      "   Number of Old Snapshots to Retain: 0",
      "   Heartbeat Tick: 1",
      "   Election Tick: 10",
      "  Dispatcher:",
      "   Heartbeat Period: 5 seconds",
      "  CA Configuration:",
      "   Expiry Duration: 3 months",
      "   Force Rotate: 0",
      "  Autolock Managers: false",
      "  Root Rotation In Progress: false",
      `  Node Address: ${manager1.address}`,
      "  Manager Addresses:",
      `   ${manager1.address}:2377`,
    ]);
    expect(await swarmLines(manager1, "docker")).toEqual(await swarmLines(manager1));
  }, 30_000);

  test("1. shoal node ls lists docker's columns, this node marked * and Leader", async () => {
    const [header, row, ...rest] = (await shoal(manager1, ["node", "ls"])).split("\n");
    expect(header).toMatch(/^ID {28}HOSTNAME +STATUS +AVAILABILITY +MANAGER STATUS +ENGINE VERSION$/);
    expect(row).toMatch(new RegExp(`^${ids.get(manager1)} \\* +manager1 +Ready +Active +Leader +\\S+$`));
    expect(rest).toEqual([""]);
  }, 30_000);

  test("2. shoal swarm join-token worker|manager, -q and --rotate print the tokens and join commands", async () => {
    const command = (token: string) => `    shoal swarm join --token ${token} ${manager1.address}:2377\n\n`;
    expect(await shoal(manager1, ["swarm", "join-token", "worker"])).toBe(`To add a worker to this swarm, run the following command:\n\n${command(workerToken)}`);
    managerToken = (await shoal(manager1, ["swarm", "join-token", "-q", "manager"])).trim();
    expect(managerToken).toMatch(TOKEN);
    expect(managerToken).not.toBe(workerToken);
    expect(managerToken.slice(0, 60)).toBe(workerToken.slice(0, 60)); // same CA digest
    expect(await shoal(manager1, ["swarm", "join-token", "manager"])).toBe(`To add a manager to this swarm, run the following command:\n\n${command(managerToken)}`);

    const rotated = await shoal(manager1, ["swarm", "join-token", "--rotate", "worker"]);
    const newWorker = TOKEN.exec(rotated)![0];
    expect(rotated).toBe(`Successfully rotated worker join token.\n\nTo add a worker to this swarm, run the following command:\n\n${command(newWorker)}`);
    expect(newWorker).not.toBe(workerToken);
    expect((await shoal(manager1, ["swarm", "join-token", "-q", "worker"])).trim()).toBe(newWorker);
    const newManager = (await shoal(manager1, ["swarm", "join-token", "--rotate", "-q", "manager"])).trim();
    expect(newManager).toMatch(TOKEN);
    expect(newManager).not.toBe(managerToken);
    expect((await shoal(manager1, ["swarm", "join-token", "-q", "manager"])).trim()).toBe(newManager);

    // The rotated-out tokens no longer let anyone in.
    for (const old of [workerToken, managerToken]) {
      const refused = await worker1.shoal(["swarm", "join", "--token", old, `${manager1.address}:2377`]);
      expect([refused.exitCode, refused.stdout, refused.stderr]).toEqual([1, "", INVALID_TOKEN]);
    }
    workerToken = newWorker;
    managerToken = newManager;
  }, 60_000);

  test("2. a wrong token, a malformed one and a token of another swarm are refused; nothing joins", async () => {
    // Another swarm: worker2 makes one of its own, keeps its tokens and leaves it.
    await shoal(worker2, ["swarm", "init", "--advertise-addr", worker2.address]);
    const otherWorker = (await shoal(worker2, ["swarm", "join-token", "-q", "worker"])).trim();
    const otherManager = (await shoal(worker2, ["swarm", "join-token", "-q", "manager"])).trim();
    expect(await shoal(worker2, ["swarm", "leave", "--force"])).toBe("Node left the swarm.\n");

    const join = (host: TestHost, token: string) => host.shoal(["swarm", "join", "--token", token, `${manager1.address}:2377`]);
    const wrongSecret = await join(worker1, workerToken.slice(0, -25) + "0".repeat(25));
    expect([wrongSecret.exitCode, wrongSecret.stdout, wrongSecret.stderr]).toEqual([1, "", INVALID_TOKEN]);
    const malformed = await join(worker1, "SWMTKN-1-nonsense");
    expect(malformed.exitCode).toBe(1);
    expect(malformed.stderr).toContain("invalid join token");
    for (const token of [otherWorker, otherManager]) {
      const foreign = await join(worker2, token);
      expect(foreign.exitCode).toBe(1);
      expect(foreign.stderr).toMatch(/^Error response from daemon: remote CA does not match fingerprint\. Expected: [0-9a-f]{64}\n$/);
    }
    const none = await worker1.shoal(["swarm", "join", `${manager1.address}:2377`]);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain("a join token is required (--token)");

    for (const host of [worker1, worker2]) expect(await swarmLines(host)).toEqual([" Swarm: inactive"]);
    expect((await shoal(manager1, ["node", "ls", "-q"])).trim()).toBe(ids.get(manager1)!);
    expect((await shoal(manager1, ["info", "--format", "{{.Swarm.Managers}} {{.Swarm.Nodes}}"])).trim()).toBe("1 1");
  }, 90_000);

  test("2. shoal swarm join with the worker token: two workers, all Ready Active", async () => {
    for (const host of [worker1, worker2]) {
      expect(await shoal(host, ["swarm", "join", "--token", workerToken, `${manager1.address}:2377`])).toBe("This node joined a swarm as a worker.\n");
      ids.set(host, (await shoal(host, ["info", "--format", "{{.Swarm.NodeID}}"])).trim());
      expect(ids.get(host)).toMatch(/^[0-9a-z]{25}$/);
    }
    expect(await nodeRows(manager1)).toEqual(["manager1 Ready Active Leader", "worker1 Ready Active", "worker2 Ready Active"]);
    const table = (await shoal(manager1, ["node", "ls"])).split("\n");
    expect(table).toHaveLength(5);
    expect(table.filter((line) => line.includes(" * "))).toEqual([expect.stringContaining(ids.get(manager1)!)]);
    expect(await swarmLines(worker1)).toEqual([
      " Swarm: active",
      `  NodeID: ${ids.get(worker1)}`,
      "  Is Manager: false",
      `  Node Address: ${worker1.address}`,
      "  Manager Addresses:",
      `   ${manager1.address}:2377`,
    ]);
    expect((await shoal(manager1, ["info", "--format", "{{.Swarm.Managers}} {{.Swarm.Nodes}}"])).trim()).toBe("1 3");
    // The same table as the real docker CLI prints from the same daemon.
    expect((await manager1.docker(["node", "ls"])).stdout).toBe(await shoal(manager1, ["node", "ls"]));
    expect(await swarmLines(worker1, "docker")).toEqual(await swarmLines(worker1));
  }, 90_000);

  test("2. the worker token gives no manager's powers: a worker cannot list, promote itself or read the manager token", async () => {
    for (const args of [["node", "ls"], ["swarm", "join-token", "manager"], ["node", "promote", "worker1"], ["node", "update", "--role", "manager", "self"]]) {
      const refused = await worker1.shoal(args);
      expect([args.join(" "), refused.exitCode, refused.stdout, refused.stderr]).toEqual([args.join(" "), 1, "", WORKER_REFUSAL]);
    }
    const again = await worker1.shoal(["swarm", "join", "--token", managerToken, `${manager1.address}:2377`]);
    expect(again.stderr).toContain("This node is already part of a swarm.");
    expect((await shoal(manager1, ["node", "inspect", "worker1", "--format", "{{.Spec.Role}} {{if .ManagerStatus}}manager-status{{end}}"])).trim()).toBe("worker");
    expect((await shoal(manager1, ["info", "--format", "{{.Swarm.Managers}}"])).trim()).toBe("1");
  }, 60_000);

  test("7. shoal node update --availability drain|pause|active worker2, shown by node inspect --pretty and node ls", async () => {
    expect(await shoal(manager1, ["node", "update", "--availability", "drain", "worker2"])).toBe("worker2\n");
    const pretty = await shoal(manager1, ["node", "inspect", "--pretty", "worker2"]);
    const lines = pretty.split("\n");
    expect(lines.slice(0, 3)).toEqual([`ID:\t\t\t${ids.get(worker2)}`, "Hostname:              \tworker2", expect.stringMatching(/^Joined at: {13}\t\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/)]);
    expect(lines).toContain(" State:\t\t\tReady");
    expect(lines).toContain(" Availability:         \tDrain");
    expect(lines).toContain(` Address:\t\t${worker2.address}`);
    const platform = lines.indexOf("Platform:");
    expect(lines.slice(platform, platform + 7)).toEqual([
      "Platform:",
      " Operating System:\tlinux",
      expect.stringMatching(/^ Architecture:\t\t(x86_64|aarch64)$/),
      "Resources:",
      expect.stringMatching(/^ CPUs:\t\t\t[1-9]\d*$/),
      expect.stringMatching(/^ Memory:\t\t\d+(\.\d+)?[KMGT]iB$/),
      expect.stringMatching(/^Engine Version:\t\t\S+$/),
    ]);
    expect(pretty).not.toContain("Manager Status:");
    // The real docker CLI renders the same node the same way.
    expect(await manager1.docker(["node", "inspect", "--pretty", "worker2"]).then((result) => result.stdout)).toBe(pretty);
    expect(await nodeRows(manager1)).toEqual(["manager1 Ready Active Leader", "worker1 Ready Active", "worker2 Ready Drain"]);

    expect(await shoal(manager1, ["node", "update", "--availability", "pause", "worker2"])).toBe("worker2\n");
    expect((await shoal(manager1, ["node", "inspect", "--pretty", "worker2"])).split("\n")).toContain(" Availability:         \tPause");
    expect(await nodeRows(manager1)).toContain("worker2 Ready Pause");
    expect(await shoal(manager1, ["node", "update", "--availability", "active", "worker2"])).toBe("worker2\n");
    expect(await nodeRows(manager1)).toContain("worker2 Ready Active");

    const wrong = await manager1.shoal(["node", "update", "--availability", "asleep", "worker2"]);
    expect([wrong.exitCode, wrong.stderr]).toEqual([1, 'invalid availability "asleep", only active, pause and drain are supported\n']);
  }, 60_000);

  test("7. shoal node update --label-add / --label-rm", async () => {
    expect(await shoal(manager1, ["node", "update", "--label-add", "zone=east", "--label-add", "ssd", "worker2"])).toBe("worker2\n");
    const pretty = await shoal(manager1, ["node", "inspect", "--pretty", "worker2"]);
    expect(pretty).toContain(`ID:\t\t\t${ids.get(worker2)}\nLabels:\n - ssd\n - zone=east\nHostname:`);
    expect(await shoal(manager1, ["node", "update", "--label-rm", "zone", "worker2"])).toBe("worker2\n");
    expect((await shoal(manager1, ["node", "inspect", "worker2", "--format", "{{json .Spec.Labels}}"])).trim()).toBe('{"ssd":""}');
    const missing = await manager1.shoal(["node", "update", "--label-rm", "zone", "worker2"]);
    expect([missing.exitCode, missing.stderr]).toEqual([1, "key zone doesn't exist in node's labels\n"]);
    expect(await shoal(manager1, ["node", "update", "--label-rm", "ssd", "worker2"])).toBe("worker2\n");
    expect((await shoal(manager1, ["node", "inspect", "worker2", "--format", "{{len .Spec.Labels}}"])).trim()).toBe("0");
  }, 60_000);

  test("7. the same node steps with the docker CLI: drain, pause, active, labels, inspect --pretty", async () => {
    for (const availability of ["drain", "pause", "active"]) {
      expect(await docker(manager1, ["node", "update", "--availability", availability, "worker2"])).toBe("worker2");
      expect(await docker(manager1, ["node", "inspect", "worker2", "--format", "{{.Spec.Availability}}"])).toBe(availability);
      expect(await docker(manager1, ["node", "ls", "--filter", "name=worker2", "--format", "{{.Hostname}} {{.Status}} {{.Availability}}"])).toBe(
        `worker2 Ready ${availability[0]!.toUpperCase()}${availability.slice(1)}`,
      );
      const pretty = await docker(manager1, ["node", "inspect", "--pretty", "worker2"]);
      expect(pretty).toContain(` Availability:         \t${availability[0]!.toUpperCase()}${availability.slice(1)}\n`);
      expect(pretty).toContain("Platform:\n Operating System:\tlinux\n");
      expect(pretty).toMatch(/\nEngine Version:\t\t\S+/);
    }
    await docker(manager1, ["node", "update", "--label-add", "disk=ssd", "worker2"]);
    expect(await docker(manager1, ["node", "inspect", "--pretty", "worker2"])).toContain("Labels:\n - disk=ssd\n");
    await docker(manager1, ["node", "update", "--label-rm", "disk", "worker2"]);
    expect(await docker(manager1, ["node", "inspect", "worker2", "--format", "{{len .Spec.Labels}}"])).toBe("0");
    const refused = await worker2.docker(["node", "update", "--availability", "drain", "worker2"]);
    expect(refused.stderr).toBe(WORKER_REFUSAL);
  }, 60_000);

  test("8. shoal node promote worker1: MANAGER STATUS Reachable, then shoal node demote worker1", async () => {
    expect(await shoal(manager1, ["node", "promote", "worker1"])).toBe("Node worker1 promoted to a manager in the swarm.\n");
    await until("worker1 Reachable and a manager", async () => (await managerStatusOf(worker1)) === "reachable" && (await isManager(worker1)), 30_000);
    expect(await nodeRows(manager1)).toEqual(["manager1 Ready Active Leader", "worker1 Ready Active Reachable", "worker2 Ready Active"]);
    // worker1 serves the manager API now, and marks itself.
    const [, ...rows] = (await shoal(worker1, ["node", "ls"])).trim().split("\n");
    expect(rows.filter((row) => row.includes(" * "))).toEqual([expect.stringMatching(new RegExp(`^${ids.get(worker1)} \\* +worker1 +Ready +Active +Reachable`))]);
    expect((await shoal(worker1, ["info", "--format", "{{.Swarm.Managers}} {{.Swarm.Nodes}}"])).trim()).toBe("2 3");
    expect(await shoal(manager1, ["node", "promote", "worker1"])).toBe(`Node ${ids.get(worker1)} is already a manager.\n`);

    expect(await shoal(manager1, ["node", "demote", "worker1"])).toBe("Manager worker1 demoted in the swarm.\n");
    await until("worker1 without manager status, a worker again", async () => (await managerStatusOf(worker1)) === "" && !(await isManager(worker1)), 30_000);
    expect(await nodeRows(manager1)).toEqual(["manager1 Ready Active Leader", "worker1 Ready Active", "worker2 Ready Active"]);
    expect(await shoal(manager1, ["node", "demote", "worker1"])).toBe(`Node ${ids.get(worker1)} is already a worker.\n`);
    const last = await manager1.shoal(["node", "demote", "manager1"]);
    expect([last.exitCode, last.stderr]).toEqual([1, "Error response from daemon: rpc error: code = FailedPrecondition desc = attempting to demote the last manager of the swarm\n"]);
    await until("worker1 heartbeats as a worker", async () => (await shoal(manager1, ["node", "inspect", "worker1", "--format", "{{.Spec.Role}} {{.Status.State}}"])).trim() === "worker ready", 20_000);
  }, 120_000);

  test("9. kill -9 of a worker's daemon: the manager marks it Down; restarted it is Ready with the same ID", async () => {
    await worker1.stopDaemon("SIGKILL");
    const started = Date.now();
    const elapsed = await until("worker1 Down on the manager", async () => (await nodeRows(manager1)).includes("worker1 Down Active"), 30_000);
    console.log(`walkthrough step 9: worker1 killed (kill -9) → Down on the manager after ${elapsed} ms (default settings)`);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect((await shoal(manager1, ["node", "inspect", "--pretty", "worker1"])).split("\n")).toContain(" State:\t\t\tDown");
    expect(await docker(manager1, ["node", "ls", "--filter", "name=worker1", "--format", "{{.Status}}"])).toBe("Down");
    expect(await nodeRows(manager1)).toEqual(["manager1 Ready Active Leader", "worker1 Down Active", "worker2 Ready Active"]);

    await worker1.startDaemon();
    expect((await shoal(worker1, ["info", "--format", "{{.Swarm.LocalNodeState}} {{.Swarm.NodeID}}"])).trim()).toBe(`active ${ids.get(worker1)}`);
    await until("worker1 Ready again", async () => (await nodeRows(manager1)).includes("worker1 Ready Active"), 30_000);
  }, 90_000);

  test("10. shoal swarm leave on a worker: Node left the swarm., and it shows Down on the manager", async () => {
    expect(await shoal(worker2, ["swarm", "leave"])).toBe("Node left the swarm.\n");
    expect(await swarmLines(worker2)).toEqual([" Swarm: inactive"]);
    await until("worker2 Down on the manager", async () => (await nodeRows(manager1)).includes("worker2 Down Active"), 30_000);
    const again = await worker2.shoal(["swarm", "leave"]);
    expect([again.exitCode, again.stderr]).toEqual([1, "Error response from daemon: This node is not part of a swarm\n"]);
  }, 60_000);

  test("10. a manager needs --force to leave, with a warning about the quorum", async () => {
    expect(await shoal(manager1, ["node", "promote", "worker1"])).toBe("Node worker1 promoted to a manager in the swarm.\n");
    await until("worker1 Reachable and a manager", async () => (await managerStatusOf(worker1)) === "reachable" && (await isManager(worker1)), 30_000);
    const refused = await worker1.shoal(["swarm", "leave"]);
    expect([refused.exitCode, refused.stdout, refused.stderr]).toEqual([
      1,
      "",
      "Error response from daemon: You are attempting to leave the swarm on a node that is participating as a manager. Removing this node leaves 1 managers out of 2. Without a Raft quorum your swarm will be inaccessible. The only way to restore a swarm that has lost consensus is to reinitialize it with `--force-new-cluster`. Use `--force` to suppress this message.\n",
    ]);
    expect(await isManager(worker1)).toBe(true);
    expect(await shoal(worker1, ["swarm", "leave", "--force"])).toBe("Node left the swarm.\n");
    expect(await swarmLines(worker1)).toEqual([" Swarm: inactive"]);
    await until("one manager left", async () => (await shoal(manager1, ["info", "--format", "{{.Swarm.Managers}}"])).trim() === "1", 20_000);

    const last = await manager1.shoal(["swarm", "leave"]);
    expect([last.exitCode, last.stderr]).toEqual([
      1,
      "Error response from daemon: You are attempting to leave the swarm on a node that is participating as a manager. Removing the last manager erases all current state of the swarm. Use `--force` to ignore this message.\n",
    ]);
    expect(await shoal(manager1, ["swarm", "leave", "--force"])).toBe("Node left the swarm.\n");
    expect(await swarmLines(manager1)).toEqual([" Swarm: inactive"]);
    const gone = await manager1.shoal(["node", "ls"]);
    expect([gone.exitCode, gone.stderr]).toEqual([1, 'Error response from daemon: This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.\n']);
  }, 90_000);
});
