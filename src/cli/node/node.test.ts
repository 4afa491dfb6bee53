import { afterEach, beforeEach, expect, test } from "bun:test";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";
import { naturalCompare } from "./natural-order.ts";
import { goTimeString } from "./pretty.ts";

const M1 = "k1n9ml4rb3ycxm8fzr1cz3eg7";
const W1 = "a8b2lqv1ka0zb3i2zsd8o8uwr";
const W2 = "x0tqn1f8ww8xcyd3s6i3iqm3w";

const node = (id: string, hostname: string, extra: Record<string, unknown> = {}) => ({
  ID: id,
  Version: { Index: 21 },
  CreatedAt: "2026-03-01T10:00:00.123456700Z",
  UpdatedAt: "2026-03-01T10:05:00Z",
  Spec: { Labels: {}, Role: "worker", Availability: "active" },
  Description: {
    Hostname: hostname,
    Platform: { Architecture: "x86_64", OS: "linux" },
    Resources: { NanoCPUs: 2_000_000_000, MemoryBytes: 2_087_346_176 },
    Engine: { EngineVersion: "0.1.0" },
  },
  Status: { State: "ready", Addr: "10.99.0.12" },
  ...extra,
});

const MANAGER = node(M1, "manager1", {
  Spec: { Labels: { zone: "a" }, Role: "manager", Availability: "active" },
  Status: { State: "ready", Addr: "10.99.0.11" },
  ManagerStatus: { Leader: true, Reachability: "reachable", Addr: "10.99.0.11:2377" },
});

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  daemon.on("GET", "/info", () => ({ Swarm: { NodeID: M1, LocalNodeState: "active", ControlAvailable: true } }));
  daemon.on("GET", "/nodes", () => [
    node(W2, "worker10", { Spec: { Role: "worker", Availability: "drain" }, Status: { State: "down" } }),
    MANAGER,
    node(W1, "worker2", { ManagerStatus: { Reachability: "reachable", Addr: "10.99.0.12:2377" } }),
  ]);
  daemon.on("GET", `/nodes/${M1}`, () => MANAGER);
  daemon.on("GET", "/nodes/worker2", () => node(W1, "worker2"));
  daemon.on("GET", `/nodes/${W1}`, () => node(W1, "worker2"));
  daemon.on("GET", "/nodes/ghost", (_request, res) => jsonError(res, 404, "node ghost not found"));
});
afterEach(async () => daemon.close());

test("node ls prints docker's columns, stars the current node and sorts hostnames naturally", async () => {
  const result = await runShoal(daemon.host, ["node", "ls", "-f", "role=manager"]);
  expect(result.stdout).toBe(
    [
      "ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION",
      `${M1} *   manager1   Ready     Active         Leader           0.1.0`,
      `${W1}     worker2    Ready     Active         Reachable        0.1.0`,
      `${W2}     worker10   Down      Drain                           0.1.0`,
      "",
    ].join("\n"),
  );
  expect(daemon.calls()).toEqual([`GET /nodes?filters=${encodeURIComponent('{"role":{"manager":true}}')}`, "GET /info"]);
  expect((await runShoal(daemon.host, ["node", "ls", "-q"])).stdout).toBe(`${M1}\n${W1}\n${W2}\n`);
  expect(daemon.calls().at(-1)).toStartWith("GET /nodes");
  expect((await runShoal(daemon.host, ["node", "ls", "--format", "{{.Hostname}} {{.Self}} {{.ManagerStatus}}"])).stdout).toBe(
    "manager1 true Leader\nworker2 false Reachable\nworker10 false \n",
  );
});

test("node inspect --pretty prints docker's layout, tabs included", async () => {
  const result = await runShoal(daemon.host, ["node", "inspect", "--pretty", "self"]);
  expect(result.stdout).toBe(
    [
      `ID:\t\t\t${M1}`,
      "Labels:",
      " - zone=a",
      "Hostname:              \tmanager1",
      "Joined at:             \t2026-03-01 10:00:00.1234567 +0000 utc",
      "Status:",
      " State:\t\t\tReady",
      " Availability:         \tActive",
      " Address:\t\t10.99.0.11",
      "Manager Status:",
      " Address:\t\t10.99.0.11:2377",
      " Raft Status:\t\tReachable",
      " Leader:\t\tYes",
      "Platform:",
      " Operating System:\tlinux",
      " Architecture:\t\tx86_64",
      "Resources:",
      " CPUs:\t\t\t2",
      " Memory:\t\t1.944GiB",
      "Engine Version:\t\t0.1.0",
      "",
    ].join("\n"),
  );
  expect(daemon.calls()).toEqual(["GET /info", `GET /nodes/${M1}`]);
  const missing = await runShoal(daemon.host, ["node", "inspect", "--pretty", "worker2", "ghost"]);
  expect(missing).toMatchObject({ exitCode: 1, stdout: "", stderr: "Error response from daemon: node ghost not found\n" });
  expect((await runShoal(daemon.host, ["node", "inspect", "-f", "pretty x", "worker2"])).stderr).toBe("cannot supply extra formatting options to the pretty template\n");
  const json = await runShoal(daemon.host, ["node", "inspect", "worker2", "ghost"]);
  expect(JSON.parse(json.stdout)).toEqual([node(W1, "worker2")]);
  expect(json).toMatchObject({ exitCode: 1, stderr: "Error response from daemon: node ghost not found\n" });
  expect((await runShoal(daemon.host, ["node", "inspect", "-f", "{{.Description.Hostname}}", "worker2"])).stdout).toBe("worker2\n");
});

test("node update sends the whole modified spec at the node's version", async () => {
  daemon.on("GET", "/nodes/worker2", () => node(W1, "worker2", { Spec: { Name: "w", Labels: { old: "1", keep: "2" }, Role: "worker", Availability: "active" } }));
  daemon.on("POST", `/nodes/${W1}/update`, () => undefined);
  const result = await runShoal(daemon.host, ["node", "update", "--availability", "drain", "--label-add", "disk=ssd", "--label-add", "flag", "--label-rm", "old", "worker2"]);
  expect(result).toMatchObject({ exitCode: 0, stdout: "worker2\n" });
  expect(daemon.calls()).toEqual(["GET /nodes/worker2", `POST /nodes/${W1}/update?version=21`]);
  expect(daemon.requests.at(-1)!.body).toBe('{"Name":"w","Labels":{"keep":"2","disk":"ssd","flag":""},"Role":"worker","Availability":"drain"}');
  const missingLabel = await runShoal(daemon.host, ["node", "update", "--label-rm", "nope", "worker2"]);
  expect(missingLabel).toMatchObject({ exitCode: 1, stderr: "key nope doesn't exist in node's labels\n" });
  const before = daemon.calls().length;
  expect(await runShoal(daemon.host, ["node", "update", "--availability", "sleep", "worker2"])).toMatchObject({
    exitCode: 1,
    stderr: 'invalid availability "sleep", only active, pause and drain are supported\n',
  });
  expect((await runShoal(daemon.host, ["node", "update", "--role", "boss", "worker2"])).stderr).toBe('invalid role "boss", only worker and manager are supported\n');
  expect(daemon.calls()).toHaveLength(before);
  daemon.on("POST", `/nodes/${W1}/update`, (_request, res) => jsonError(res, 500, "update out of sequence"));
  expect(await runShoal(daemon.host, ["node", "update", "--availability", "pause", "worker2"])).toMatchObject({
    exitCode: 1,
    stdout: "",
    stderr: "Error response from daemon: update out of sequence\n",
  });
});

test("node promote and demote change only the role, skipping nodes already in it", async () => {
  daemon.on("POST", /^\/nodes\/.*\/update$/, () => undefined);
  const promote = await runShoal(daemon.host, ["node", "promote", "worker2", M1]);
  expect(promote.stdout).toBe(`Node worker2 promoted to a manager in the swarm.\nNode ${M1} is already a manager.\n`);
  const update = daemon.requests.find((request) => request.method === "POST")!;
  expect(`${update.path}?${update.query}`).toBe(`/nodes/${W1}/update?version=21`);
  expect(update.body).toBe('{"Labels":{},"Role":"manager","Availability":"active"}');
  const demote = await runShoal(daemon.host, ["node", "demote", M1]);
  expect(demote.stdout).toBe(`Manager ${M1} demoted in the swarm.\n`);
  expect(daemon.requests.at(-1)!.body).toBe('{"Labels":{"zone":"a"},"Role":"worker","Availability":"active"}');
  expect((await runShoal(daemon.host, ["node", "demote", "ghost"])).stderr).toBe("Error response from daemon: node ghost not found\n");
});

test("node rm removes each node, printing it, and reports the daemon's refusals", async () => {
  daemon.on("DELETE", `/nodes/${W1}`, () => undefined);
  daemon.on("DELETE", "/nodes/worker2", (_request, res) =>
    jsonError(res, 400, "rpc error: code = FailedPrecondition desc = node worker2 is not down and can't be removed"),
  );
  const result = await runShoal(daemon.host, ["node", "rm", "worker2", W1]);
  expect(result).toMatchObject({
    exitCode: 1,
    stdout: `${W1}\n`,
    stderr: "Error response from daemon: rpc error: code = FailedPrecondition desc = node worker2 is not down and can't be removed\n",
  });
  await runShoal(daemon.host, ["node", "rm", "-f", W1]);
  expect(daemon.calls().at(-1)).toBe(`DELETE /nodes/${W1}?force=1`);
});

test("node ps lists the node's tasks with docker's columns, or prints the daemon's error", async () => {
  const now = Date.now();
  daemon.on("GET", "/tasks", () => [
    { ID: "t2aaaaaaaaaaaaaaaaaaaaaaa", ServiceID: "s1", Slot: 1, NodeID: M1, CreatedAt: new Date(now - 60_000).toISOString(), DesiredState: "shutdown", Spec: { ContainerSpec: { Image: "redis:3.0.6@sha256:abc" } }, Status: { State: "shutdown", Timestamp: new Date(now - 30_000).toISOString(), Err: "" } },
    { ID: "t1bbbbbbbbbbbbbbbbbbbbbbb", ServiceID: "s1", Slot: 1, NodeID: M1, CreatedAt: new Date(now - 10_000).toISOString(), DesiredState: "running", Spec: { ContainerSpec: { Image: "redis:3.0.7@sha256:def" } }, Status: { State: "running", Timestamp: new Date(now - 5_000).toISOString(), PortStatus: { Ports: [{ Protocol: "tcp", TargetPort: 6379, PublishedPort: 30000 }] } } },
  ]);
  daemon.on("GET", "/services/s1", () => ({ ID: "s1", Spec: { Name: "redis" } }));
  const result = await runShoal(daemon.host, ["node", "ps"]);
  expect(result.stdout).toBe(
    [
      "ID             NAME          IMAGE         NODE       DESIRED STATE   CURRENT STATE             ERROR     PORTS",
      "t1bbbbbbbbbb   redis.1       redis:3.0.7   manager1   Running         Running 5 seconds ago               *:30000->6379/tcp",
      "t2aaaaaaaaaa    \\_ redis.1   redis:3.0.6   manager1   Shutdown        Shutdown 30 seconds ago",
      "",
    ].join("\n"),
  );
  const tasksQuery = daemon.requests.find((request) => request.path === "/tasks")!.query;
  expect(JSON.parse(tasksQuery.get("filters")!)).toEqual({ node: { [M1]: true } });
  expect((await runShoal(daemon.host, ["node", "ps", "-q", "worker2"])).stdout).toBe("t1bbbbbbbbbb\nt2aaaaaaaaaa\n");
  daemon.on("GET", "/tasks", (_request, res) => jsonError(res, 404, "page not found: GET /tasks"));
  expect(await runShoal(daemon.host, ["node", "ps", "self"])).toMatchObject({ exitCode: 1, stderr: "Error response from daemon: page not found: GET /tasks\n" });
});

test("hostnames sort naturally and API times print as Go prints them", () => {
  expect(["node10", "node2", "Node1", "node02", "node"].sort(naturalCompare)).toEqual(["Node1", "node", "node2", "node02", "node10"]);
  expect(goTimeString("2026-03-01T10:00:00Z")).toBe("2026-03-01 10:00:00 +0000 UTC");
  expect(goTimeString("2026-03-01T10:00:00.500+02:00")).toBe("2026-03-01 10:00:00.5 +0200 +0200");
});
