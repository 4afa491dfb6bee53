import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ShoalError, silentLogger } from "../../lib/index.ts";
import type { AssignedFile, ContainerSpec, Task, TaskState, TaskStatusReport } from "../../types/index.ts";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import { FakeTaskEngine } from "../../../test/support/fake-task-engine.ts";
import { ContainerTaskExecutor } from "./container-task-executor.ts";
import { TaskFiles } from "./task-files.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function task(id: string, spec: Partial<ContainerSpec> = {}, overrides: Partial<Task> = {}): Task {
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: "2026-11-25T12:00:00.000Z",
    UpdatedAt: "2026-11-25T12:00:00.000Z",
    Labels: {},
    Spec: { ContainerSpec: { Image: "busybox:1", ...spec }, ForceUpdate: 0 },
    ServiceID: "svc1",
    ServiceAnnotations: { Name: "web", Labels: {} },
    Slot: 1,
    NodeID: "node1",
    Status: { Timestamp: "2026-11-25T12:00:00.000Z", State: "assigned", Message: "scheduler assigned task to node" },
    DesiredState: "running",
    ...overrides,
  };
}

/** An executor over a fake engine (busybox:1 present), with its reports collected. */
function setup(engine = new FakeTaskEngine()) {
  if (!engine.images.size) engine.images.add("busybox:1");
  const root = mkdtempSync("/tmp/shoal-executor-");
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const clock = new FakeClock();
  const reports: TaskStatusReport[] = [];
  const open = () => {
    const executor = new ContainerTaskExecutor({ engine, files: new TaskFiles(root, { secretsOnTmpfs: false }), clock, logger: silentLogger });
    executor.onStatus((batch) => reports.push(...batch));
    return executor;
  };
  const executor = open();
  return {
    engine,
    root,
    clock,
    executor,
    reports,
    open,
    /** The states reported for a task, in order. */
    states: (id: string): TaskState[] => reports.filter((report) => report.taskId === id).map((report) => report.status.State),
    last: (id: string) => reports.filter((report) => report.taskId === id).at(-1)!.status,
    /** Reconciles and waits until the executor has nothing left to do. */
    async reconcile(tasks: Task[], files: AssignedFile[] = []) {
      executor.reconcile(tasks, files);
      await executor.settled();
    },
  };
}

const RUNNING_PATH: TaskState[] = ["accepted", "preparing", "ready", "starting", "running"];

describe("a task runs through its states", () => {
  test("accepted → preparing → ready → starting → running, each with the fake clock's time and the container's status", async () => {
    const t = setup();
    await t.reconcile([task("t1")]);
    expect(t.states("t1")).toEqual(RUNNING_PATH);
    expect(t.reports.map((report) => report.status.Message)).toEqual(["accepted", "preparing", "prepared", "starting", "started"]);
    const container = t.engine.byName("web.1.t1");
    expect(t.last("t1")).toEqual({ Timestamp: new Date(t.clock.now()).toISOString(), State: "running", Message: "started", ContainerStatus: { ContainerID: container.Id, PID: container.State.Pid, ExitCode: 0 } });
    expect(container.Config.Labels["com.docker.swarm.task.id"]).toBe("t1");
    expect(t.engine.calls).toEqual(["create web.1.t1", "start web.1.t1"]);
  });

  test("exit 0 completes the task; a non-zero exit fails it with moby's error and the exit code", async () => {
    const t = setup();
    await t.reconcile([task("ok"), task("bad", {}, { Slot: 2 })]);
    t.engine.exit(t.engine.byName("web.1.ok").Id, 0);
    t.engine.exit(t.engine.byName("web.2.bad").Id, 3);
    await t.executor.settled();
    expect(t.states("ok")).toEqual([...RUNNING_PATH, "complete"]);
    expect(t.last("ok")).toMatchObject({ State: "complete", Message: "finished" });
    expect(t.last("bad")).toMatchObject({ State: "failed", Message: "started", Err: "task: non-zero exit (3)", ContainerStatus: { ExitCode: 3, PID: 0 } });
  });

  test("a global task's container is named after its node", async () => {
    const t = setup();
    await t.reconcile([task("g1", {}, { Slot: undefined })]);
    expect(t.engine.byName("web.node1.g1").State.Running).toBe(true);
  });

  test("the same assignment again changes nothing", async () => {
    const t = setup();
    await t.reconcile([task("t1")]);
    const calls = t.engine.calls.length;
    await t.reconcile([task("t1")]);
    expect(t.engine.calls.length).toBe(calls);
    expect(t.states("t1")).toEqual(RUNNING_PATH);
  });

  test("statuses() lists what the executor saw itself, not the managers' view of a task it never moved", async () => {
    const t = setup();
    await t.reconcile([task("t1"), task("old", {}, { Slot: 2, Status: { Timestamp: "2026-11-25T11:00:00.000Z", State: "complete", Message: "finished" } })]);
    expect(t.executor.statuses().map((report) => `${report.taskId} ${report.status.State}`)).toEqual(["t1 running"]);
  });

  test("a task unassigned and assigned again waits for its old container to go before it makes a new one", async () => {
    const t = setup();
    await t.reconcile([task("t1")]);
    t.executor.reconcile([], []);
    t.executor.reconcile([task("t1")], []);
    await t.executor.settled();
    expect(t.engine.calls).toEqual(["create web.1.t1", "start web.1.t1", "stop web.1.t1 - -", "remove web.1.t1", "create web.1.t1", "start web.1.t1"]);
    expect(t.engine.byName("web.1.t1").State.Running).toBe(true);
  });

  test("a task whose manager-side state is already preparing goes on from there, without stepping back", async () => {
    const t = setup();
    await t.reconcile([task("t1", {}, { Status: { Timestamp: "2026-11-25T12:00:00.000Z", State: "preparing", Message: "preparing" } })]);
    expect(t.states("t1")).toEqual(["ready", "starting", "running"]);
  });
});

describe("images", () => {
  test("a missing image is pulled with the service's registry auth, then the task runs", async () => {
    const engine = new FakeTaskEngine();
    engine.images.add("other:1");
    engine.pull = async () => {};
    const t = setup(engine);
    const auth = Buffer.from(JSON.stringify({ username: "bob", password: "pw" })).toString("base64url");
    await t.reconcile([task("t1", { Image: "private/app:2", PullOptions: { RegistryAuth: auth } })]);
    expect(engine.calls[0]).toBe("pull private/app:2");
    expect(engine.pullAuth).toEqual([{ username: "bob", password: "pw" }]);
    expect(t.states("t1")).toEqual(RUNNING_PATH);
  });

  test("an image that cannot be pulled rejects the task with docker's words and the registry's reason", async () => {
    const t = setup();
    await t.reconcile([task("t1", { Image: "nosuch:1" })]);
    expect(t.states("t1")).toEqual(["accepted", "preparing", "rejected"]);
    expect(t.last("t1")).toMatchObject({ Message: "preparing", Err: "No such image: nosuch:1 (pulling it failed: manifest for nosuch:1 not found: manifest unknown)" });
    expect(t.engine.containers.size).toBe(0);
  });

  test("a task shut down while its image is pulled creates nothing and reports shutdown", async () => {
    const engine = new FakeTaskEngine();
    engine.images.add("busybox:1");
    let finishPull = () => {};
    engine.pull = () => new Promise<void>((resolve) => (finishPull = resolve));
    const t = setup(engine);
    t.executor.reconcile([task("t1", { Image: "slow:1" })], []);
    await Bun.sleep(0);
    t.executor.reconcile([task("t1", { Image: "slow:1" }, { DesiredState: "shutdown" })], []);
    finishPull();
    await t.executor.settled();
    expect(t.states("t1")).toEqual(["accepted", "preparing", "shutdown"]);
    expect(engine.calls).toEqual(["pull slow:1"]);
  });
});

describe("failures", () => {
  test("a create the engine refuses rejects the task with the engine's message", async () => {
    const engine = new FakeTaskEngine();
    engine.failCreate = new ShoalError("invalid_argument", "Minimum memory limit allowed is 6MB");
    const t = setup(engine);
    await t.reconcile([task("t1")]);
    expect(t.last("t1")).toMatchObject({ State: "rejected", Err: "Minimum memory limit allowed is 6MB" });
  });

  test("a start that fails fails the task", async () => {
    const engine = new FakeTaskEngine();
    engine.failStart = new ShoalError("invalid_argument", "invalid mount config for type \"bind\": bind source path does not exist: /nope");
    const t = setup(engine);
    await t.reconcile([task("t1")]);
    expect(t.states("t1")).toEqual(["accepted", "preparing", "ready", "starting", "failed"]);
    expect(t.last("t1").Err).toBe('starting container failed: invalid mount config for type "bind": bind source path does not exist: /nope');
  });

  test("a secret not sent to the node rejects the task, naming it", async () => {
    const t = setup();
    await t.reconcile([task("t1", { Secrets: [{ SecretID: "s1", SecretName: "db-pass", File: { Name: "db", UID: "0", GID: "0", Mode: 0o400 } }] })]);
    expect(t.last("t1")).toMatchObject({ State: "rejected", Err: "secret db-pass (s1) was not sent to this node: the managers may not have it any more" });
  });

  test("a running task's container removed behind the executor's back fails the task", async () => {
    const t = setup();
    await t.reconcile([task("t1")]);
    await t.engine.remove(t.engine.byName("web.1.t1").Id);
    await t.executor.settled();
    expect(t.last("t1")).toMatchObject({ State: "failed", Err: "task: non-zero exit (137)", ContainerStatus: { ExitCode: 137 } });
    expect(t.states("t1")).toEqual([...RUNNING_PATH, "failed"]);
  });
});

describe("health checks", () => {
  const healthy = { Healthcheck: { Test: ["CMD", "true"], Interval: 1e9 } };

  test("a task with a health check stays starting until the container is healthy", async () => {
    const t = setup();
    await t.reconcile([task("t1", healthy)]);
    expect(t.states("t1")).toEqual(["accepted", "preparing", "ready", "starting"]);
    await t.reconcile([task("t1", healthy)]); // another assignments message does not start it again
    t.engine.health(t.engine.byName("web.1.t1").Id, "healthy");
    await t.executor.settled();
    expect(t.states("t1")).toEqual(RUNNING_PATH);
    expect(t.engine.calls.filter((call) => call.startsWith("start"))).toHaveLength(1);
  });

  test("an unhealthy container is stopped and its task failed as moby words it", async () => {
    const t = setup();
    await t.reconcile([task("t1", { ...healthy, StopSignal: "SIGINT", StopGracePeriod: 2e9 })]);
    const id = t.engine.byName("web.1.t1").Id;
    t.engine.health(id, "healthy");
    await t.executor.settled();
    t.engine.health(id, "unhealthy");
    await t.executor.settled();
    expect(t.engine.calls).toContain("stop web.1.t1 2 SIGINT");
    expect(t.last("t1")).toMatchObject({ State: "failed", Err: "task: non-zero exit (143): dockerexec: unhealthy container", ContainerStatus: { ExitCode: 143 } });
  });
});

describe("stopping and removing", () => {
  test("desired shutdown stops the container with the task's signal and grace period and reports shutdown", async () => {
    const t = setup();
    const spec = { StopSignal: "SIGUSR1", StopGracePeriod: 1_500_000_000 };
    await t.reconcile([task("t1", spec)]);
    const id = t.engine.byName("web.1.t1").Id;
    await t.reconcile([task("t1", spec, { DesiredState: "shutdown" })]);
    expect(t.engine.calls.at(-1)).toBe("stop web.1.t1 1.5 SIGUSR1");
    expect(t.states("t1")).toEqual([...RUNNING_PATH, "shutdown"]);
    expect(t.last("t1")).toMatchObject({ Message: "shutdown", ContainerStatus: { ContainerID: id, ExitCode: 143 } });
    expect(t.engine.containers.has(id)).toBe(true); // kept as history until unassigned
  });

  test("a task that ended keeps its state and container when its desired state becomes shutdown", async () => {
    const t = setup();
    await t.reconcile([task("t1")]);
    t.engine.exit(t.engine.byName("web.1.t1").Id, 0);
    await t.executor.settled();
    await t.reconcile([task("t1", {}, { DesiredState: "shutdown" })]);
    expect(t.states("t1")).toEqual([...RUNNING_PATH, "complete"]);
    expect(t.engine.calls.some((call) => call.startsWith("stop") || call.startsWith("remove"))).toBe(false);
  });

  test("a task no longer assigned is stopped and removed with its files, and reports nothing more", async () => {
    const t = setup();
    const files: AssignedFile[] = [{ ID: "c1", kind: "config", name: "app", data: Buffer.from("x") }];
    await t.reconcile([task("t1", { Configs: [{ ConfigID: "c1", ConfigName: "app", File: { Name: "/app.conf", UID: "0", GID: "0", Mode: 0o444 } }] })], files);
    expect(existsSync(join(t.root, "t1"))).toBe(true);
    const reported = t.reports.length;
    await t.reconcile([], files);
    expect(t.engine.calls.slice(-2)).toEqual(["stop web.1.t1 - -", "remove web.1.t1"]);
    expect(t.engine.containers.size).toBe(0);
    expect(existsSync(join(t.root, "t1"))).toBe(false);
    expect(t.reports.length).toBe(reported);
    expect(t.executor.statuses()).toEqual([]);
  });
});

describe("logs", () => {
  test("a task's container log, tail first and then since; none for a task without a container", async () => {
    const t = setup();
    await t.reconcile([task("t1"), task("bad", { Image: "nosuch:1" }, { Slot: 2 })]);
    const id = t.engine.byName("web.1.t1").Id;
    const line = (second: number, text: string) => ({ time: `2026-11-25T12:00:0${second}.000000001Z`, stream: "stdout" as const, text, complete: true });
    t.engine.logLines.set(id, [line(1, "one"), line(2, "two"), line(3, "three"), line(4, "four")]);
    const read = async (options: { follow: boolean; tail?: number; sinceMs?: number }) => {
      const lines = t.executor.logs("t1", options, new AbortController().signal);
      const texts: string[] = [];
      for await (const entry of lines!) texts.push(entry.text);
      return texts;
    };
    expect(await read({ follow: false })).toEqual(["one", "two", "three", "four"]);
    expect(await read({ follow: true, tail: 3, sinceMs: Date.parse("2026-11-25T12:00:03Z") })).toEqual(["three", "four"]);
    expect(t.engine.calls.at(-1)).toBe("logs web.1.t1 follow=true tail=3");
    expect(t.executor.logs("bad", { follow: false }, new AbortController().signal)).toBeNull();
    expect(t.executor.logs("unknown", { follow: false }, new AbortController().signal)).toBeNull();
  });
});

describe("after a restart", () => {
  test("of two containers of one task the newest is adopted and the other removed", async () => {
    const engine = new FakeTaskEngine();
    const labels = { "com.docker.swarm.task.id": "t1" };
    await engine.create("web.1.t1", { Image: "busybox:1", Labels: labels });
    await engine.create("web.1.t1-newer", { Image: "busybox:1", Labels: labels });
    const t = setup(engine);
    await t.executor.settled();
    expect(engine.calls.at(-1)).toBe("remove web.1.t1");
    expect(t.executor.statuses()).toMatchObject([{ taskId: "t1", status: { State: "ready", ContainerStatus: { ContainerID: engine.byName("web.1.t1-newer").Id } } }]);
  });

  test("a new executor adopts the task containers it finds, re-reports them and creates nothing again", async () => {
    const t = setup();
    await t.reconcile([task("run"), task("done", {}, { Slot: 2 }), task("gone", {}, { Slot: 3 })]);
    t.engine.exit(t.engine.byName("web.2.done").Id, 0);
    await t.executor.settled();
    await t.executor.close();

    const again = t.open();
    expect(Object.fromEntries(again.statuses().map((report) => [report.taskId, report.status.State]))).toEqual({ run: "running", done: "complete", gone: "running" });
    const calls = t.engine.calls.length;
    again.reconcile([task("run"), task("done", {}, { Slot: 2 })], []);
    await again.settled();
    expect(t.engine.calls.slice(calls)).toEqual(["stop web.3.gone - -", "remove web.3.gone"]);
    expect([...t.engine.containers.values()].map((record) => record.Name).sort()).toEqual(["/web.1.run", "/web.2.done"]);
    // The adopted running task still follows its container.
    t.engine.exit(t.engine.byName("web.1.run").Id, 9);
    await again.settled();
    expect(again.statuses().find((report) => report.taskId === "run")?.status).toMatchObject({ State: "failed", Err: "task: non-zero exit (9)" });
    await again.close();
  });
});
