/**
 * The managers' service and task API with the real docker CLI (and the shoal CLI) on one namespace
 * test host in a one-node swarm: `service create/ls/inspect [--pretty]/update/scale/rollback/ps/rm`,
 * `node ps`, docker's error texts (duplicate name, bad constraint, negative replicas, a published
 * port in use, a missing service, a stale version, a mode change), registry credentials kept but
 * never shown, and the "not a swarm manager" refusal once the node has left. Tasks come from the
 * orchestrators, so counts are not asserted beyond the desired ones.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { NOT_A_MANAGER_MESSAGE } from "../../src/manager/index.ts";
import { dockerOk as docker } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";

let hosts: TestHosts;
let host: TestHost;
let webId = "";

const TASK_HEADER = /^ID\s+NAME\s+IMAGE\s+NODE\s+DESIRED STATE\s+CURRENT STATE\s+ERROR\s+PORTS$/;

/** `shoal <args>` on the host; its trimmed stdout, or an error with its stderr. */
async function shoal(args: string[]): Promise<string> {
  const result = await host.shoal(args);
  if (result.exitCode !== 0) throw new Error(`shoal ${args.join(" ")} failed (${result.exitCode}): ${result.stderr}`);
  return result.stdout.trim();
}

/** A command that must fail: its exit code and trimmed stderr. */
async function refused(run: Promise<{ exitCode: number; stderr: string }>): Promise<[number, string]> {
  const result = await run;
  return [result.exitCode, result.stderr.trim()];
}

/** A raw Engine API call on the host's socket (what no CLI flag sends: a stale version, a hand-made spec). */
function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://shoal/v1.51${path}`, {
    method,
    unix: host.socket,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json", ...headers } }),
  } as RequestInit);
}

const inspect = (format: string, ref = "web") => docker(host, ["service", "inspect", "--format", format, ref]);

beforeAll(async () => {
  hosts = await createTestHosts({ cluster: "ssvc", subnet: 81, count: 1 });
  host = hosts.hosts[0]!;
  await docker(host, ["swarm", "init", "--advertise-addr", host.address]);
}, 300_000);

afterAll(async () => {
  if (!hosts) return;
  await host.docker(["swarm", "leave", "--force"]).catch(() => {});
  await hosts.teardown();
}, 120_000);

describe("docker service on shoal", () => {
  test("docker service create -d prints the new service's ID; ls and inspect show it", async () => {
    webId = await docker(host, ["service", "create", "-d", "--name", "web", "--replicas", "2", "busybox", "sleep", "1000"]);
    expect(webId).toMatch(/^[0-9a-z]{25}$/);
    const [header, row, ...rest] = (await docker(host, ["service", "ls"])).split("\n");
    expect(header).toMatch(/^ID\s+NAME\s+MODE\s+REPLICAS\s+IMAGE\s+PORTS$/);
    expect(row).toMatch(new RegExp(`^${webId.slice(0, 12)}\\s+web\\s+replicated\\s+\\d+/2\\s+busybox:latest`));
    expect(rest).toEqual([]);
    expect(await docker(host, ["service", "ls", "-q", "--filter", "name=we"])).toBe(webId.slice(0, 12));
    expect(await docker(host, ["service", "ls", "-q", "--filter", "mode=global"])).toBe("");
    expect(await inspect("{{.ID}} {{.Spec.Name}} {{.Spec.Mode.Replicated.Replicas}} {{json .Spec.TaskTemplate.ContainerSpec.Args}}")).toBe(`${webId} web 2 ["sleep","1000"]`);
    // insertDefaults: SwarmKit's defaults where the spec has none.
    expect(await inspect("{{.Spec.UpdateConfig.Monitor}} {{.Spec.RollbackConfig.FailureAction}} {{.Spec.TaskTemplate.RestartPolicy.Condition}} {{.Spec.TaskTemplate.ContainerSpec.StopGracePeriod}}")).toBe(
      "5s pause any 10s",
    );
  }, 60_000);

  test("docker service inspect --pretty prints docker's summary", async () => {
    const pretty = await docker(host, ["service", "inspect", "--pretty", "web"]);
    for (const line of [`ID:\t\t${webId}`, "Name:\t\tweb", "Service Mode:\tReplicated", " Replicas:\t2", "UpdateConfig:", " On failure:\tpause", " Update order:      stop-first", " Image:\t\tbusybox:latest", " Args:\t\tsleep 1000 ", "Endpoint Mode:\tvip"]) {
      expect(pretty.split("\n")).toContain(line);
    }
  }, 30_000);

  test("docker's error texts: duplicate name, bad constraint, negative replicas, a missing service, a port in use", async () => {
    expect(await refused(host.docker(["service", "create", "-d", "--name", "web", "busybox"]))).toEqual([
      1,
      "Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service web already exists",
    ]);
    expect(await refused(host.docker(["service", "create", "-d", "--name", "bad", "--constraint", "node.role=manager", "busybox"]))).toEqual([
      1,
      "Error response from daemon: rpc error: code = Unknown desc = constraint expected one operator from ==, !=",
    ]);
    const [code, text] = await refused(host.docker(["service", "create", "-d", "--name", "neg", "--replicas", "-1", "busybox"]));
    expect([code, text.split("\n")[0]]).toEqual([125, 'invalid argument "-1" for "--replicas" flag: strconv.ParseUint: parsing "-1": invalid syntax']);
    // The daemon's own refusal, for clients that do not check.
    const negative = await api("POST", "/services/create", { Name: "neg", TaskTemplate: { ContainerSpec: { Image: "busybox" } }, Mode: { Replicated: { Replicas: -1 } } });
    expect([negative.status, await negative.json()]).toEqual([400, { message: "rpc error: code = InvalidArgument desc = Number of replicas must be non-negative" }]);
    expect(await refused(host.docker(["service", "update", "-d", "--replicas", "1", "nope"]))).toEqual([1, "Error response from daemon: service nope not found"]);
    const p1 = await docker(host, ["service", "create", "-d", "--name", "p1", "--publish", "8080:80", "busybox"]);
    expect(await refused(host.docker(["service", "create", "-d", "--name", "p2", "--publish", "8080:80", "busybox"]))).toEqual([
      1,
      `Error response from daemon: rpc error: code = InvalidArgument desc = port '8080' is already in use by service 'p1' (${p1}) as an ingress port`,
    ]);
    await docker(host, ["service", "rm", "p1"]);
    expect(await docker(host, ["service", "ls", "--format", "{{.Name}}"])).toBe("web");
  }, 60_000);

  test("docker service update --image and --replicas keep the previous spec; a stale version is refused", async () => {
    const before = Number(await inspect("{{.Version.Index}}"));
    expect(await docker(host, ["service", "update", "-d", "--image", "busybox:1.36", "web"])).toBe("web");
    expect(await inspect("{{.Spec.TaskTemplate.ContainerSpec.Image}} {{.PreviousSpec.TaskTemplate.ContainerSpec.Image}}")).toBe("busybox:1.36 busybox:latest");
    expect(await docker(host, ["service", "update", "-d", "--replicas", "3", "web"])).toBe("web");
    expect(await docker(host, ["service", "ls", "--format", "{{.Name}} {{.Replicas}}"])).toMatch(/^web \d+\/3$/);
    const stale = await api("POST", `/services/web/update?version=${before}`, { Name: "web", TaskTemplate: { ContainerSpec: { Image: "busybox" } }, Mode: { Replicated: { Replicas: 9 } } });
    expect([stale.status, await stale.json()]).toEqual([409, { message: "rpc error: code = Unknown desc = update out of sequence" }]);
    expect(await inspect("{{.Spec.Mode.Replicated.Replicas}}")).toBe("3");
    const current = Number(await inspect("{{.Version.Index}}"));
    const modeChange = await api("POST", `/services/web/update?version=${current}`, { Name: "web", TaskTemplate: { ContainerSpec: { Image: "busybox" } }, Mode: { Global: {} } });
    expect([modeChange.status, await modeChange.json()]).toEqual([501, { message: "rpc error: code = Unimplemented desc = service mode change is not allowed" }]);
  }, 60_000);

  test("docker service rollback restores the previous spec and marks a rollback started", async () => {
    expect(await docker(host, ["service", "rollback", "-d", "web"])).toBe("web");
    expect(await inspect("{{.Spec.Mode.Replicated.Replicas}} {{.PreviousSpec.Mode.Replicated.Replicas}} {{.Spec.TaskTemplate.ContainerSpec.Image}}")).toBe("2 3 busybox:1.36");
    // The rollback starts (the API's word) and, with no task to replace on this image-less host, completes at once.
    expect(["rollback_started|manually requested rollback", "rollback_completed|rollback completed"]).toContain(await inspect("{{.UpdateStatus.State}}|{{.UpdateStatus.Message}}"));
    expect(await docker(host, ["service", "scale", "-d", "web=4"])).toBe("web scaled to 4");
    expect(await inspect("{{.Spec.Mode.Replicated.Replicas}} {{.UpdateStatus}}")).toBe("4 <nil>");
  }, 60_000);

  test("docker service ps and docker node ps list tasks with docker's columns", async () => {
    expect((await docker(host, ["service", "ps", "web"])).split("\n")[0]).toMatch(TASK_HEADER);
    expect((await docker(host, ["node", "ps"])).split("\n")[0]).toMatch(TASK_HEADER);
    expect((await docker(host, ["node", "ps", "self", "--filter", "desired-state=running"])).split("\n")[0]).toMatch(TASK_HEADER);
    expect(await refused(host.docker(["node", "ps", "nosuchnode"]))).toEqual([1, "Error response from daemon: node nosuchnode not found"]);
  }, 30_000);

  test("registry credentials sent with a service are kept for the agents but never shown", async () => {
    const auth = Buffer.from(JSON.stringify({ username: "u", password: "secret-password" })).toString("base64url");
    const created = await api("POST", "/services/create", { Name: "private", TaskTemplate: { ContainerSpec: { Image: "busybox" } } }, { "X-Registry-Auth": auth });
    expect(created.status).toBe(201);
    expect(await docker(host, ["service", "inspect", "private"])).not.toContain(auth);
    expect(await docker(host, ["service", "ls", "--format", "{{json .}}"])).not.toContain(auth);
    await docker(host, ["service", "rm", "private"]);
  }, 30_000);

  test("docker service rm removes the service", async () => {
    expect(await docker(host, ["service", "rm", "web"])).toBe("web");
    expect(await docker(host, ["service", "ls", "-q"])).toBe("");
    const [code, text] = await refused(host.docker(["service", "inspect", "web"]));
    expect(code).toBe(1);
    expect(text).toContain("no such service: web");
  }, 30_000);
});

describe("shoal service on shoal", () => {
  test("create, ls, inspect --pretty, update, scale, rollback, ps, node ps, rm", async () => {
    const id = await shoal(["service", "create", "-d", "--name", "api", "--replicas", "2", "busybox", "sleep", "1000"]);
    expect(id).toMatch(/^[0-9a-z]{25}$/);
    expect(await shoal(["service", "ls", "--format", "{{.ID}} {{.Name}} {{.Mode}} {{.Image}}"])).toBe(`${id.slice(0, 12)} api replicated busybox:latest`);
    const pretty = (await shoal(["service", "inspect", "--pretty", "api"])).split("\n");
    expect(pretty).toContain(" Replicas:\t2");
    expect(pretty).toContain(" Rollback order:    stop-first");
    expect(await shoal(["service", "update", "-d", "--image", "busybox:1.36", "api"])).toBe("api");
    expect(await shoal(["service", "scale", "-d", "api=3"])).toBe("api scaled to 3");
    expect(await shoal(["service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}} {{.Spec.TaskTemplate.ContainerSpec.Image}}", "api"])).toBe("3 busybox:1.36");
    expect(await shoal(["service", "rollback", "-d", "api"])).toBe("api");
    expect(["2 rollback_started", "2 rollback_completed"]).toContain(await shoal(["service", "inspect", "--format", "{{.Spec.Mode.Replicated.Replicas}} {{.UpdateStatus.State}}", "api"]));
    expect((await shoal(["service", "ps", "api"])).split("\n")[0]).toMatch(TASK_HEADER);
    expect((await shoal(["node", "ps"])).split("\n")[0]).toMatch(TASK_HEADER);
    const duplicate = await host.shoal(["service", "create", "-d", "--name", "api", "busybox"]);
    expect([duplicate.exitCode, duplicate.stderr.trim()]).toEqual([1, "Error response from daemon: rpc error: code = AlreadyExists desc = name conflicts with an existing object: service api already exists"]);
    const constraint = await host.shoal(["service", "create", "-d", "--name", "bad", "--constraint", "node.role=manager", "busybox"]);
    expect([constraint.exitCode, constraint.stderr.trim()]).toEqual([1, "Error response from daemon: rpc error: code = Unknown desc = constraint expected one operator from ==, !="]);
    expect(await shoal(["service", "rm", "api"])).toBe("api");
    expect(await shoal(["service", "ls", "-q"])).toBe("");
  }, 90_000);
});

describe("outside a swarm", () => {
  test("the service and task commands answer docker's not-a-manager text", async () => {
    await docker(host, ["swarm", "leave", "--force"]);
    expect(await refused(host.docker(["service", "ls"]))).toEqual([1, `Error response from daemon: ${NOT_A_MANAGER_MESSAGE}`]);
    expect(await refused(host.docker(["service", "create", "-d", "--name", "x", "busybox"]))).toEqual([1, `Error response from daemon: ${NOT_A_MANAGER_MESSAGE}`]);
    const tasks = await api("GET", "/tasks");
    expect([tasks.status, await tasks.json()]).toEqual([503, { message: NOT_A_MANAGER_MESSAGE }]);
  }, 60_000);
});
