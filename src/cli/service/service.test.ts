import { afterEach, beforeEach, expect, test } from "bun:test";
import { ApiClient } from "../api-client.ts";
import type { CliContext } from "../context.ts";
import { muxFrame } from "../stream-demux.ts";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";
import { serviceProgress } from "./progress.ts";

const SVC = "tvn0zd9w4sbrm4ci7g2x7ra2r";
const NODE = "k1n9ml4rb3ycxm8fzr1cz3eg7";
const DIGEST = "sha256:" + "a".repeat(64);

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  daemon.on("GET", /^\/distribution\/.*\/json$/, () => ({ Descriptor: { digest: DIGEST }, Platforms: [{ architecture: "amd64", os: "linux" }, { architecture: "unknown", os: "unknown" }] }));
  daemon.on("POST", "/services/create", () => [201, { ID: SVC }]);
  daemon.on("GET", "/networks/my-net", () => ({ Id: "net1id", Name: "my-net" }));
  daemon.on("GET", "/secrets", () => [{ ID: "sec1id", Spec: { Name: "db-pass" } }]);
  daemon.on("GET", "/configs", () => [{ ID: "cfg1id", Spec: { Name: "app.conf" } }]);
});
afterEach(async () => daemon.close());

const body = (method: string, path: string) => JSON.parse(daemon.requests.find((request) => request.method === method && request.path === path)!.body);

test("service create -d sends docker's ServiceSpec for a wide set of flags", async () => {
  const result = await runShoal(daemon.host, [
    "service", "create", "-d", "--name", "web", "--replicas", "3",
    "-e", "A=1", "--env", "B=2", "-e", "A=3", "--label", "tier=front", "--container-label", "c=d",
    "-p", "8080:80", "--publish", "published=9000,target=90,protocol=udp,mode=host",
    "--mount", "type=bind,source=/src,target=/dst,readonly",
    "--constraint", "node.role==worker", "--placement-pref", "spread=node.labels.zone", "--replicas-max-per-node", "2",
    "--restart-condition", "on-failure", "--restart-max-attempts", "3",
    "--update-parallelism", "2", "--update-delay", "10s", "--update-failure-action", "rollback", "--update-order", "start-first",
    "--rollback-monitor", "20s", "--rollback-max-failure-ratio", "0.5",
    "--limit-cpu", "0.5", "--limit-memory", "256m", "--reserve-cpu", "0.25", "--reserve-memory", "128m",
    "--health-cmd", "curl -f localhost", "--health-interval", "5s", "--health-retries", "3",
    "--stop-signal", "SIGINT", "--stop-grace-period", "30s", "--user", "app", "--workdir", "/app", "--hostname", "h1",
    "--secret", "db-pass", "--config", "source=app.conf,target=/etc/app.conf,mode=0440", "--network", "my-net",
    "nginx", "nginx", "-g", "daemon off;",
  ]);
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toBe(`${SVC}\n`);
  expect(daemon.calls()).toEqual([
    "GET /networks/my-net?scope=swarm",
    `GET /secrets?filters=${encodeURIComponent('{"name":{"db-pass":true}}')}`,
    `GET /configs?filters=${encodeURIComponent('{"name":{"app.conf":true}}')}`,
    "GET /distribution/nginx:latest/json",
    "POST /services/create",
  ]);
  expect(body("POST", "/services/create")).toEqual({
    Name: "web",
    Labels: { tier: "front" },
    TaskTemplate: {
      ContainerSpec: {
        Image: `nginx:latest@${DIGEST}`,
        Labels: { c: "d" },
        Args: ["nginx", "-g", "daemon off;"],
        Hostname: "h1",
        Env: ["B=2", "A=3"],
        Dir: "/app",
        User: "app",
        Init: false,
        StopSignal: "SIGINT",
        Mounts: [{ Type: "bind", Source: "/src", Target: "/dst", ReadOnly: true }],
        StopGracePeriod: 30e9,
        Healthcheck: { Test: ["CMD-SHELL", "curl -f localhost"], Interval: 5e9, Retries: 3 },
        DNSConfig: {},
        Secrets: [{ File: { Name: "db-pass", UID: "0", GID: "0", Mode: 0o444 }, SecretID: "sec1id", SecretName: "db-pass" }],
        Configs: [{ File: { Name: "/etc/app.conf", UID: "0", GID: "0", Mode: 0o440 }, ConfigID: "cfg1id", ConfigName: "app.conf" }],
      },
      Resources: { Limits: { NanoCPUs: 5e8, MemoryBytes: 256 * 1024 ** 2 }, Reservations: { NanoCPUs: 2.5e8, MemoryBytes: 128 * 1024 ** 2 } },
      RestartPolicy: { Condition: "on-failure", Delay: 5e9, MaxAttempts: 3 },
      Placement: {
        Constraints: ["node.role==worker"],
        Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }],
        MaxReplicas: 2,
        Platforms: [{ Architecture: "amd64", OS: "linux" }],
      },
      Networks: [{ Target: "net1id" }],
      ForceUpdate: 0,
    },
    Mode: { Replicated: { Replicas: 3 } },
    UpdateConfig: { Parallelism: 2, Delay: 10e9, FailureAction: "rollback", Monitor: 5e9, MaxFailureRatio: 0, Order: "start-first" },
    RollbackConfig: { Parallelism: 1, FailureAction: "pause", Monitor: 20e9, MaxFailureRatio: 0.5, Order: "stop-first" },
    EndpointSpec: {
      Mode: "vip",
      Ports: [
        { Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "ingress" },
        { Protocol: "udp", TargetPort: 90, PublishedPort: 9000, PublishMode: "host" },
      ],
    },
  });
});

test("service create with no flags sends docker's minimal spec; global mode and --no-resolve-image", async () => {
  await runShoal(daemon.host, ["service", "create", "--detach", "alpine", "ping", "docker.com"]);
  expect(body("POST", "/services/create")).toEqual({
    Labels: {},
    TaskTemplate: {
      ContainerSpec: { Image: `alpine:latest@${DIGEST}`, Args: ["ping", "docker.com"], Init: false, DNSConfig: {} },
      Resources: { Limits: {}, Reservations: {} },
      Placement: { Platforms: [{ Architecture: "amd64", OS: "linux" }] },
      ForceUpdate: 0,
    },
    Mode: { Replicated: {} },
    EndpointSpec: { Mode: "vip" },
  });
  daemon.requests.length = 0;
  await runShoal(daemon.host, ["service", "create", "--detach=true", "--mode", "global", "--no-resolve-image", "busybox:1.36"]);
  expect(daemon.calls()).toEqual(["POST /services/create"]);
  const spec = body("POST", "/services/create");
  expect(spec.Mode).toEqual({ Global: {} });
  expect(spec.TaskTemplate.ContainerSpec.Image).toBe("busybox:1.36");
});

test("a failed digest lookup is docker's warning on stderr, and the create goes on", async () => {
  daemon.on("GET", /^\/distribution\//, (_request, res) => jsonError(res, 404, "no such image"));
  const result = await runShoal(daemon.host, ["service", "create", "-d", "alpine"]);
  expect(result.stderr).toStartWith("image alpine:latest could not be accessed on a registry to record\nits digest.");
  expect(body("POST", "/services/create").TaskTemplate.ContainerSpec.Image).toBe("alpine:latest");
});

test("bad flag values are refused with exit 125 (or docker's error) and nothing is sent", async () => {
  const cases: [string[], number, string][] = [
    [["--replicas", "x"], 125, 'invalid argument "x" for "--replicas" flag: strconv.ParseUint: parsing "x": invalid syntax'],
    [["--replicas", "-1"], 125, 'invalid argument "-1" for "--replicas" flag'],
    [["--update-delay", "10"], 125, 'invalid argument "10" for "--update-delay" flag: time: invalid duration "10"'],
    [["--limit-memory", "lots"], 125, "invalid size: 'lots'"],
    [["--limit-cpu", "half"], 125, "failed to parse half as a rational number"],
    [["--publish", "target=abc"], 125, "invalid target port (abc)"],
    [["--publish", "published=80,target=8080,mode=bridge"], 125, "invalid publish mode value (bridge)"],
    [["--publish", "127.0.0.1:80:80"], 125, "hostip is not supported"],
    [["--placement-pref", "pack=x"], 125, "unsupported placement preference pack (only spread is supported)"],
    [["--health-interval", "-1s"], 125, "duration cannot be negative"],
    [["--mount", "type=bind,source=/a"], 125, "target is required"],
    [["--bogus"], 125, "unknown option '--bogus'"],
    [["--mode", "daemonset"], 1, "unknown mode: daemonset, only replicated and global supported"],
    [["--mode", "global", "--replicas", "2"], 1, "replicas can only be used with replicated or replicated-job mode"],
    [["--restart-condition", "always"], 1, 'invalid restart-condition "always"'],
    [["--update-failure-action", "explode"], 1, 'invalid update-failure-action "explode"'],
    [["--mode", "replicated-job", "--update-parallelism", "2"], 1, "update and rollback configuration is not supported for jobs"],
    [["--no-healthcheck", "--health-cmd", "true"], 1, "--no-healthcheck conflicts with --health-* options"],
  ];
  for (const [flags, code, message] of cases) {
    const result = await runShoal(daemon.host, ["service", "create", "-d", ...flags, "alpine"]);
    expect({ flags, code: result.exitCode }).toEqual({ flags, code });
    expect(result.stderr).toContain(message);
  }
  expect(daemon.calls()).toEqual([]);
});

/** A context writing into a string, against the fake daemon, terminal or not. */
function captureContext(terminal: boolean): { ctx: CliContext; output: () => string } {
  let output = "";
  const ctx = {
    client: new ApiClient(daemon.host),
    out: (text: string) => void (output += text),
    err: () => {},
    streams: { stdoutIsTerminal: terminal, terminalSize: () => (terminal ? { width: 120, height: 40 } : undefined) },
    env: {},
  } as unknown as CliContext;
  return { ctx, output: () => output };
}

/** Scripts a service of `replicas` whose tasks go through `steps` (one list of slot states per poll). */
function scriptTasks(replicas: number, steps: string[][], monitor = 2e9): void {
  let poll = 0;
  daemon.on("GET", `/services/${SVC}`, () => ({ ID: SVC, Version: { Index: 1 }, Spec: { Name: "web", Mode: { Replicated: { Replicas: replicas } }, UpdateConfig: { Parallelism: 1, Monitor: monitor } } }));
  daemon.on("GET", "/nodes", () => [{ ID: NODE, Status: { State: "ready" } }]);
  daemon.on("GET", "/tasks", () => {
    const states = steps[Math.min(poll++, steps.length - 1)]!;
    return states.map((state, index) => ({ ID: `task${index}`, Slot: index + 1, NodeID: NODE, DesiredState: "running", Status: { State: state, ...(state === "rejected" ? { Err: "no suitable node" } : {}) } }));
  });
}

test("detach=false progress prints docker's plain lines when stdout is not a terminal", async () => {
  scriptTasks(2, [["pending", "assigned"], ["running", "preparing"], ["running", "running"]]);
  const { ctx, output } = captureContext(false);
  let now = 0;
  await serviceProgress(ctx, SVC, false, { now: () => now, sleep: async (ms) => void (now += ms * 5) });
  // docker: converged at t, then "Waiting N seconds" each poll until the 2 s monitor period has passed
  expect(output()).toBe(
    [
      "overall progress: 0 out of 2 tasks",
      "1/2:  ",
      "2/2:  ",
      "overall progress: 0 out of 2 tasks",
      "overall progress: 1 out of 2 tasks",
      "overall progress: 2 out of 2 tasks",
      "verify: Waiting 3 seconds to verify that tasks are stable...",
      "verify: Waiting 2 seconds to verify that tasks are stable...",
      `verify: Service ${SVC} converged`,
      "",
    ].join("\n"),
  );
  const tasksQuery = daemon.calls().find((call) => call.startsWith("GET /tasks"))!;
  expect(decodeURIComponent(tasksQuery)).toBe(`GET /tasks?filters={"service":{"${SVC}":true},"_up-to-date":{"true":true}}`);
});

test("detach=false progress on a terminal draws a bar per slot and rewrites lines in place", async () => {
  scriptTasks(1, [["preparing"], ["running"]], 1);
  const { ctx, output } = captureContext(true);
  let now = 0;
  await serviceProgress(ctx, SVC, false, { now: () => now, sleep: async (ms) => void (now += ms) });
  const screen = output();
  expect(screen).toContain("overall progress: 0 out of 1 tasks");
  expect(screen).toContain(`1/1: preparing [${"=".repeat(33)}>${" ".repeat(17)}] \r`);
  expect(screen).toContain(`1/1: running   [${"=".repeat(50)}>] \r`);
  expect(screen).toContain("\x1b[2K\r");
  expect(screen).toEndWith(`\x1b[1A\x1b[2K\rverify: Service ${SVC} converged \r\x1b[1B`);
});

test("a paused update ends the progress with docker's error", async () => {
  daemon.on("GET", `/services/${SVC}`, () => ({ ID: SVC, Spec: { Name: "web", Mode: { Replicated: { Replicas: 1 } } }, UpdateStatus: { State: "paused", Message: "update paused due to failure" } }));
  const { ctx } = captureContext(false);
  expect(serviceProgress(ctx, SVC, false, { now: () => 0, sleep: async () => {} })).rejects.toThrow("service update paused: update paused due to failure");
});

const SERVICE = {
  ID: SVC,
  Version: { Index: 42 },
  CreatedAt: "2026-03-01T10:00:00Z",
  UpdatedAt: "2026-03-01T10:00:00Z",
  Spec: {
    Name: "redis",
    Labels: { a: "b" },
    TaskTemplate: { ContainerSpec: { Image: `redis:3.0.6@${DIGEST}`, Env: ["X=1", "Y=2"], Init: false }, ForceUpdate: 0 },
    Mode: { Replicated: { Replicas: 3 } },
    EndpointSpec: { Mode: "vip", Ports: [{ Protocol: "tcp", TargetPort: 6379, PublishedPort: 6379, PublishMode: "ingress" }] },
  },
  Endpoint: { Spec: {}, Ports: [{ Protocol: "tcp", TargetPort: 6379, PublishedPort: 6379, PublishMode: "ingress" }] },
  ServiceStatus: { RunningTasks: 2, DesiredTasks: 3, CompletedTasks: 0 },
};

test("service ls prints docker's columns from GET /services?status=true", async () => {
  daemon.on("GET", "/services", () => [
    SERVICE,
    { ...SERVICE, ID: "abcdefabcdefabcdefabcdefa", Spec: { ...SERVICE.Spec, Name: "agent", Mode: { Global: {} } }, Endpoint: { Spec: {} }, ServiceStatus: { RunningTasks: 3, DesiredTasks: 3, CompletedTasks: 0 } },
  ]);
  const result = await runShoal(daemon.host, ["service", "ls"]);
  expect(result.stdout).toBe(
    [
      "ID             NAME      MODE         REPLICAS   IMAGE         PORTS",
      "abcdefabcdef   agent     global       3/3        redis:3.0.6",
      "tvn0zd9w4sbr   redis     replicated   2/3        redis:3.0.6   *:6379->6379/tcp",
      "",
    ].join("\n"),
  );
  expect(daemon.calls()).toEqual(["GET /services?status=true"]);
});

test("service ps resolves the name, lists its tasks with history under `\\_`", async () => {
  daemon.on("GET", "/services", (request) => (request.query.get("filters")!.includes('"name"') ? [SERVICE] : []));
  daemon.on("GET", `/services/${SVC}`, () => SERVICE);
  daemon.on("GET", `/nodes/${NODE}`, () => ({ ID: NODE, Description: { Hostname: "worker1" }, Spec: {} }));
  const task = (id: string, slot: number, desired: string, state: string, created: string) => ({
    ID: id, ServiceID: SVC, Slot: slot, NodeID: NODE, DesiredState: desired, CreatedAt: created,
    Spec: { ContainerSpec: { Image: `redis:3.0.7@${DIGEST}` } }, Status: { State: state, Timestamp: new Date(Date.now() - 65_000).toISOString() },
  });
  daemon.on("GET", "/tasks", () => [
    task("oldtask0000000000000000001", 1, "shutdown", "shutdown", "2026-03-01T10:00:00Z"),
    task("newtask0000000000000000001", 1, "running", "running", "2026-03-01T11:00:00Z"),
  ]);
  const result = await runShoal(daemon.host, ["service", "ps", "redis"]);
  expect(result.stdout.split("\n").map((line) => line.trimEnd())).toEqual([
    "ID             NAME          IMAGE         NODE      DESIRED STATE   CURRENT STATE                 ERROR     PORTS",
    "newtask00000   redis.1       redis:3.0.7   worker1   Running         Running about a minute ago",
    "oldtask00000    \\_ redis.1   redis:3.0.7   worker1   Shutdown        Shutdown about a minute ago",
    "",
  ]);
  expect(decodeURIComponent(daemon.calls()[2]!)).toBe(`GET /tasks?filters={"service":{"${SVC}":true}}`);
  expect((await runShoal(daemon.host, ["service", "ps", "-q", "--no-trunc", "redis"])).stdout).toBe("newtask0000000000000000001\noldtask0000000000000000001\n");
  expect((await runShoal(daemon.host, ["service", "ps", "ghost"])).stderr).toBe("no such service: ghost\n");
});

test("service update sends the changed spec with version, registryAuthFrom and rollback queries", async () => {
  daemon.on("GET", "/services/redis", () => SERVICE);
  daemon.on("POST", `/services/${SVC}/update`, () => ({ Warnings: null }));
  const result = await runShoal(daemon.host, [
    "service", "update", "-d", "--image", "redis:3.0.7", "--replicas", "5", "--env-add", "Z=3", "--env-rm", "X",
    "--label-add", "c=d", "--label-rm", "a", "--publish-add", "8080:80", "--publish-rm", "6379", "--force", "redis",
  ]);
  expect(result.stderr).toBe("");
  expect(result.stdout).toBe("redis\n");
  expect(daemon.calls()).toEqual(["GET /services/redis", "GET /distribution/redis:3.0.7/json", `POST /services/${SVC}/update?registryAuthFrom=spec&rollback=none&version=42`]);
  const spec = body("POST", `/services/${SVC}/update`);
  expect(spec.Labels).toEqual({ c: "d" });
  expect(spec.TaskTemplate.ContainerSpec.Image).toBe(`redis:3.0.7@${DIGEST}`);
  expect(spec.TaskTemplate.ContainerSpec.Env).toEqual(["Y=2", "Z=3"]);
  expect(spec.TaskTemplate.ForceUpdate).toBe(1);
  expect(spec.Mode).toEqual({ Replicated: { Replicas: 5 } });
  expect(spec.EndpointSpec.Ports).toEqual([{ Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "ingress" }]);
});

test("service update --rollback and service rollback ask for the previous spec; --rollback refuses other flags", async () => {
  daemon.on("GET", "/services/redis", () => SERVICE);
  daemon.on("POST", `/services/${SVC}/update`, () => ({}));
  await runShoal(daemon.host, ["service", "update", "-d", "--rollback", "redis"]);
  expect(daemon.calls().at(-1)).toBe(`POST /services/${SVC}/update?registryAuthFrom=spec&rollback=previous&version=42`);
  const rollback = await runShoal(daemon.host, ["service", "rollback", "-d", "redis"]);
  expect(rollback.stdout).toBe("redis\n");
  expect(daemon.calls().at(-1)).toBe(`POST /services/${SVC}/update?rollback=previous&version=42`);
  daemon.requests.length = 0;
  const refused = await runShoal(daemon.host, ["service", "update", "-d", "--rollback", "--image", "x", "redis"]);
  expect(refused.stderr).toBe("other flags may not be combined with --rollback\n");
  expect(daemon.calls()).toEqual([]);
});

test("service scale updates only the replica count, per service, and reports bad values", async () => {
  daemon.on("GET", "/services/redis", () => SERVICE);
  daemon.on("GET", "/services/agent", () => ({ ...SERVICE, Spec: { ...SERVICE.Spec, Mode: { Global: {} } } }));
  daemon.on("POST", `/services/${SVC}/update`, () => ({}));
  const result = await runShoal(daemon.host, ["service", "scale", "-d", "redis=7", "agent=2", "redis=x"]);
  expect(result.stdout).toBe("redis scaled to 7\n");
  expect(result.stderr).toBe(
    'agent: scale can only be used with replicated or replicated-job mode\nredis: invalid replicas value x: strconv.ParseUint: parsing "x": invalid syntax\n',
  );
  expect(result.exitCode).toBe(1);
  expect(daemon.calls()).toEqual(["GET /services/redis", `POST /services/${SVC}/update?version=42`, "GET /services/agent"]);
  expect(body("POST", `/services/${SVC}/update`)).toEqual({ ...SERVICE.Spec, Mode: { Replicated: { Replicas: 7 } } });
  daemon.requests.length = 0;
  expect((await runShoal(daemon.host, ["service", "scale", "redis"])).stderr).toStartWith("invalid scale specifier 'redis'.");
  expect(daemon.calls()).toEqual([]);
});

test("service rm and inspect", async () => {
  daemon.on("DELETE", "/services/redis", () => undefined);
  daemon.on("DELETE", "/services/ghost", (_request, res) => jsonError(res, 404, "service ghost not found"));
  const removed = await runShoal(daemon.host, ["service", "rm", "redis", "ghost"]);
  expect(removed.stdout).toBe("redis\n");
  expect(removed.stderr).toBe("Error response from daemon: service ghost not found\n");
  daemon.on("GET", "/services/redis", () => SERVICE);
  const inspected = await runShoal(daemon.host, ["service", "inspect", "--format", "{{.Spec.Name}}", "redis"]);
  expect(inspected.stdout).toBe("redis\n");
  expect(daemon.calls().at(-1)).toBe("GET /services/redis?insertDefaults=1");
  const pretty = await runShoal(daemon.host, ["service", "inspect", "--pretty", "redis"]);
  expect(pretty.stdout).toContain(`ID:\t\t${SVC}\nName:\t\tredis\nLabels:\n a=b\nService Mode:\tReplicated\n Replicas:\t3\n`);
});

test("service logs prefixes each line with service.slot.task@node as docker does", async () => {
  daemon.on("GET", "/services/redis", () => SERVICE);
  daemon.on("GET", `/services/${SVC}`, () => SERVICE);
  daemon.on("GET", `/nodes/${NODE}`, () => ({ ID: NODE, Description: { Hostname: "worker1" } }));
  daemon.on("GET", "/tasks/task1aaaaaaaaaaaaaaaaaaaaa", () => ({ ID: "task1aaaaaaaaaaaaaaaaaaaaa", Slot: 1 }));
  daemon.on("GET", "/services/redis/logs", (_request, res) => {
    res.writeHead(200, { "Content-Type": "application/vnd.docker.multiplexed-stream" });
    const details = `com.docker.swarm.node.id=${NODE},com.docker.swarm.service.id=${SVC},com.docker.swarm.task.id=task1aaaaaaaaaaaaaaaaaaaaa`;
    res.write(muxFrame(1, `${details} hello\n`));
    res.end(muxFrame(2, `${details} oops\n`));
  });
  const result = await runShoal(daemon.host, ["service", "logs", "redis"]);
  expect(result.stdout).toBe("redis.1.task1aaaaaaa@worker1    | hello\n");
  expect(result.stderr).toBe("redis.1.task1aaaaaaa@worker1    | oops\n");
  expect(daemon.calls()).toContain("GET /services/redis/logs?stdout=1&stderr=1&details=1&tail=all");
  expect((await runShoal(daemon.host, ["service", "logs", "--no-task-ids", "redis"])).stdout).toBe("redis.1@worker1    | hello\n");
});

test("service create --detach=false follows the service after printing its ID", async () => {
  daemon.on("GET", `/services/${SVC}`, () => ({ ID: SVC, Spec: { Name: "web", Mode: { Replicated: { Replicas: 1 } } }, UpdateStatus: { State: "paused", Message: "task failed" } }));
  const result = await runShoal(daemon.host, ["service", "create", "--detach=false", "--no-resolve-image", "alpine"]);
  expect(result.stdout).toBe(`${SVC}\n`);
  expect(result.stderr).toBe("service update paused: task failed\n");
  expect(result.exitCode).toBe(1);
  expect(daemon.calls()).toEqual(["POST /services/create", `GET /services/${SVC}`]);
});

test("service update and rollback without -d follow the service by the name they were given, as docker does", async () => {
  daemon.on("GET", "/services/web", () => ({ ID: SVC, Version: { Index: 7 }, Spec: { Name: "web", Mode: { Replicated: { Replicas: 1 } }, TaskTemplate: { ContainerSpec: { Image: "alpine" } } }, UpdateStatus: { State: "paused", Message: "task failed" } }));
  daemon.on("POST", `/services/${SVC}/update`, () => ({ Warnings: null }));
  for (const args of [["service", "update", "--env-add", "A=1", "web"], ["service", "rollback", "web"]]) {
    const result = await runShoal(daemon.host, args);
    expect([result.exitCode, result.stdout, result.stderr]).toEqual([1, "web\n", "service update paused: task failed\n"]);
    expect(daemon.calls().filter((call) => call.startsWith("GET"))).toEqual(["GET /services/web", "GET /services/web"]);
    daemon.requests.length = 0;
  }
});
