/**
 * The task executor over a real engine (runc + conmon, the busybox test image): tasks run to
 * complete and failed, health checks hold a task in starting, a desired shutdown stops with the
 * task's signal, unassigned tasks are removed, a missing image is pulled (or the task rejected),
 * secrets appear from a tmpfs, and a new executor adopts what the last one left running.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ContainerTaskExecutor, engineForTasks, TaskFiles } from "../../src/agent/index.ts";
import { Engine, parseHardLimits } from "../../src/engine/index.ts";
import { silentLogger, systemClock } from "../../src/lib/index.ts";
import type { AssignedFile, ContainerSpec, Task, TaskState, TaskStatus, TaskStatusReport } from "../../src/types/index.ts";
import { removeContainersUnder } from "../support/container-cleanup.ts";
import { TEST_IMAGE } from "../support/docker-test-daemon.ts";
import { busyboxImage, chunksOf, dockerSaveArchive } from "../support/image-archives.ts";
import { pushImage, startRegistry, type Registry } from "../support/registry.ts";

const work = mkdtempSync("/tmp/shoal-task-executor-");
const CGROUP_PARENT = "/shoal-executor-test";
let engine: Engine;
let registry: Registry | undefined;
let image: Awaited<ReturnType<typeof busyboxImage>>;
const executors: ContainerTaskExecutor[] = [];
/** Every report of every executor, in order. */
const reports: TaskStatusReport[] = [];
const waiters = new Set<() => void>();

function openExecutor(): ContainerTaskExecutor {
  const executor = new ContainerTaskExecutor({ engine: engineForTasks(engine), files: new TaskFiles(join(work, "tasks")), clock: systemClock, logger: silentLogger });
  executor.onStatus((batch) => {
    reports.push(...batch);
    for (const waiter of [...waiters]) waiter();
  });
  executors.push(executor);
  return executor;
}

beforeAll(async () => {
  engine = await Engine.open(join(work, "data"), { timeoutMs: 3000 });
  image = await busyboxImage(["sh"]);
  await engine.loadImages(chunksOf(await dockerSaveArchive([TEST_IMAGE], image.config, image.layer)));
  await engine.startContainers({ execRoot: join(work, "run"), logger: silentLogger, hardLimits: parseHardLimits(readFileSync("/proc/self/limits", "utf8")), cgroupParent: CGROUP_PARENT });
}, 60_000);

afterAll(async () => {
  for (const executor of executors) await executor.close();
  for (const record of engine?.containers.list({ all: true }) ?? []) await engine.containers.remove(record.Id, true).catch(() => {});
  await registry?.stop();
  await engine?.close();
  removeContainersUnder(work, join(work, "run", "runtime", "runc"));
  rmSync(work, { recursive: true, force: true });
  Bun.spawnSync(["sh", "-c", `find /sys/fs/cgroup -depth -type d -name '${CGROUP_PARENT.slice(1)}*' -exec rmdir {} + 2>/dev/null; true`]);
}, 60_000);

let nextId = 0;
/** A task of service `svc` running `script` under sh, assigned to this node. */
function task(script: string, spec: Partial<ContainerSpec> = {}, overrides: Partial<Task> = {}): Task {
  const id = `task${++nextId}x${Date.now().toString(36)}`;
  return {
    ID: id,
    Version: { Index: 1 },
    CreatedAt: new Date().toISOString(),
    UpdatedAt: new Date().toISOString(),
    Labels: {},
    Spec: { ContainerSpec: { Image: TEST_IMAGE, Command: ["sh", "-c", script], ...spec }, ForceUpdate: 0 },
    ServiceID: "svc000001",
    ServiceAnnotations: { Name: "svc", Labels: {} },
    Slot: nextId,
    NodeID: "node000001",
    Status: { Timestamp: new Date().toISOString(), State: "assigned", Message: "scheduler assigned task to node" },
    DesiredState: "running",
    ...overrides,
  };
}

const statesOf = (id: string): TaskState[] => reports.filter((report) => report.taskId === id).map((report) => report.status.State);
const lastOf = (id: string): TaskStatus | undefined => reports.filter((report) => report.taskId === id).at(-1)?.status;

/** Resolves with the task's status once it reaches `state` (as reported), or fails after `timeoutMs` with what it did reach. */
function reached(id: string, state: TaskState, timeoutMs = 20_000): Promise<TaskStatus> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const status = reports.find((report) => report.taskId === id && report.status.State === state)?.status;
      if (!status) return;
      waiters.delete(check);
      clearTimeout(timer);
      resolve(status);
    };
    const timer = setTimeout(() => {
      waiters.delete(check);
      reject(new Error(`task ${id} did not reach ${state} within ${timeoutMs} ms; it went ${statesOf(id).join(" → ")} (${JSON.stringify(lastOf(id))})`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}

/** Everything the container printed to stdout, without the last newline. */
async function output(containerId: string): Promise<string> {
  let text = "";
  for await (const line of engine.containers.logs(containerId)) if (line.stream === "stdout") text += line.complete ? `${line.text}\n` : line.text;
  return text.replace(/\n$/, "");
}

const RUNNING_PATH: TaskState[] = ["accepted", "preparing", "ready", "starting", "running"];

describe("the executor over the real engine", () => {
  let executor: ContainerTaskExecutor;
  /** The tasks assigned now, as the agent would send them all each time. */
  const assigned = new Map<string, Task>();
  let files: AssignedFile[] = [];
  /** The assigned set with each task's status as the managers last heard it, as a dispatcher sends it. */
  const current = () => [...assigned.values()].map((one) => ({ ...one, Status: lastOf(one.ID) ?? one.Status }));
  const assign = (...tasks: Task[]) => {
    for (const one of tasks) assigned.set(one.ID, one);
    executor.reconcile(current(), files);
  };
  const unassign = (id: string) => {
    assigned.delete(id);
    executor.reconcile(current(), files);
  };

  beforeAll(() => {
    executor = openExecutor();
  });

  test("tasks run to complete (exit 0) and failed (exit 3), named and labelled as swarm's", async () => {
    const ok = task("echo done");
    const bad = task("echo failing; exit 3");
    assign(ok, bad);
    const complete = await reached(ok.ID, "complete");
    const failed = await reached(bad.ID, "failed");
    expect(statesOf(ok.ID)).toEqual([...RUNNING_PATH, "complete"]);
    expect(statesOf(bad.ID)).toEqual([...RUNNING_PATH, "failed"]);
    expect(failed.Err).toBe("task: non-zero exit (3)");
    expect(failed.ContainerStatus?.ExitCode).toBe(3);
    const container = engine.containers.get(complete.ContainerStatus!.ContainerID!);
    expect(container.Name).toBe(`/svc.${ok.Slot}.${ok.ID}`);
    expect(container.Config.Labels).toMatchObject({ "com.docker.swarm.task.id": ok.ID, "com.docker.swarm.service.name": "svc", "com.docker.swarm.node.id": "node000001" });
    expect(container.HostConfig.RestartPolicy.Name).toBe("no");
    expect(await output(container.Id)).toBe("done");
    const logged: string[] = [];
    for await (const line of executor.logs(bad.ID, { follow: true }, new AbortController().signal) ?? []) logged.push(line.text);
    expect(logged).toEqual(["failing"]); // follow ends: the container has exited
  });

  test("a task with a health check is running only once its container is healthy", async () => {
    const checked = task("busybox sleep 1; busybox touch /ok; while true; do busybox sleep 0.1; done", {
      Healthcheck: { Test: ["CMD-SHELL", "busybox test -e /ok"], Interval: 200e6, Retries: 50 },
    });
    assign(checked);
    await reached(checked.ID, "starting");
    const running = await reached(checked.ID, "running");
    const record = engine.containers.get(running.ContainerStatus!.ContainerID!);
    expect(record.State.Health?.Status).toBe("healthy");
    expect(running.ContainerStatus?.PID).toBe(record.State.Pid);
  }, 30_000);

  test("desired shutdown stops the container with the task's stop signal; the container stays until the task is unassigned", async () => {
    const spec = { StopSignal: "SIGUSR1", StopGracePeriod: 30e9 };
    const trapped = task("trap 'echo got usr1; exit 0' USR1; echo up; while true; do busybox sleep 0.1; done", spec);
    assign(trapped);
    const running = await reached(trapped.ID, "running");
    const containerId = running.ContainerStatus!.ContainerID!;
    assign({ ...trapped, DesiredState: "shutdown" });
    const shutdown = await reached(trapped.ID, "shutdown");
    expect(shutdown.ContainerStatus?.ExitCode).toBe(0); // the trap ran: SIGUSR1, not the SIGKILL after the grace period
    expect(await output(containerId)).toContain("got usr1");
    expect(engine.containers.get(containerId).State.Running).toBe(false);

    unassign(trapped.ID);
    await executor.settled();
    expect(engine.containers.list({ all: true }).some((record) => record.Id === containerId)).toBe(false);
  });

  test("a running task no longer assigned is stopped and removed, and reports nothing more", async () => {
    const doomed = task("while true; do busybox sleep 0.1; done", { StopGracePeriod: 1e9 });
    assign(doomed);
    const running = await reached(doomed.ID, "running");
    unassign(doomed.ID);
    await executor.settled();
    expect(engine.containers.list({ all: true }).some((record) => record.Id === running.ContainerStatus?.ContainerID)).toBe(false);
    expect(statesOf(doomed.ID)).toEqual(RUNNING_PATH);
  });

  test("an image no registry has rejects the task with a clear error", async () => {
    const missing = task("true", { Image: "127.0.0.1:1/nosuch:1" });
    assign(missing);
    const rejected = await reached(missing.ID, "rejected");
    expect(rejected.Err).toStartWith("No such image: 127.0.0.1:1/nosuch:1 (pulling it failed: ");
    expect(statesOf(missing.ID)).toEqual(["accepted", "preparing", "rejected"]);
  });

  test("an image not here is pulled from its registry, then the task runs", async () => {
    registry = await startRegistry(join(work, "registry"));
    await pushImage(registry.address, "test/busybox", "7", image.config, [{ bytes: gzipSync(image.layer), mediaType: "application/vnd.oci.image.layer.v1.tar+gzip" }]);
    const pulled = task("echo pulled", { Image: `${registry.address}/test/busybox:7` });
    assign(pulled);
    const complete = await reached(pulled.ID, "complete");
    expect(await output(complete.ContainerStatus!.ContainerID!)).toBe("pulled");
    expect(engine.images.get(`${registry.address}/test/busybox:7`).ID).toBe(image.id);
  }, 30_000);

  test("secrets appear read-only at /run/secrets from a tmpfs, configs at their target, with their modes; both go with the task", async () => {
    files = [
      { ID: "sec1", kind: "secret", name: "db-pass", data: Buffer.from("hunter2") },
      { ID: "cfg1", kind: "config", name: "app.conf", data: Buffer.from("port=8080") },
    ];
    const reader = task("busybox cat /run/secrets/db-pass; echo; busybox cat /etc/app.conf; echo; busybox stat -c '%a %u:%g' /run/secrets/db-pass; echo x > /run/secrets/db-pass || echo read-only", {
      Secrets: [{ SecretID: "sec1", SecretName: "db-pass", File: { Name: "db-pass", UID: "0", GID: "0", Mode: 0o400 } }],
      Configs: [{ ConfigID: "cfg1", ConfigName: "app.conf", File: { Name: "/etc/app.conf", UID: "0", GID: "0", Mode: 0o444 } }],
    });
    assign(reader);
    const complete = await reached(reader.ID, "complete");
    const text = await output(complete.ContainerStatus!.ContainerID!);
    expect(text).toBe("hunter2\nport=8080\n400 0:0\nread-only");
    const secretsDir = join(work, "tasks", reader.ID, "secrets");
    expect(readFileSync("/proc/mounts", "utf8")).toContain(`tmpfs ${secretsDir} tmpfs`);

    unassign(reader.ID);
    await executor.settled();
    expect(existsSync(join(work, "tasks", reader.ID))).toBe(false);
    expect(readFileSync("/proc/mounts", "utf8")).not.toContain(secretsDir);
  });

  test("a new executor adopts the running task containers it finds and does not create them again", async () => {
    const lasting = task("while true; do busybox sleep 0.1; done", { StopGracePeriod: 1e9 });
    assign(lasting);
    const running = await reached(lasting.ID, "running");
    const containerId = running.ContainerStatus!.ContainerID!;
    await executor.close();

    executor = openExecutor();
    const adopted = executor.statuses().find((report) => report.taskId === lasting.ID);
    expect(adopted?.status).toMatchObject({ State: "running", ContainerStatus: { ContainerID: containerId } });
    const before = engine.containers.list({ all: true }).length;
    const reported = reports.length;
    assign();
    await executor.settled();
    expect(engine.containers.list({ all: true }).length).toBe(before);
    expect(reports.length).toBe(reported); // nothing moved: it runs as it did

    // It still follows the container: an exit is noticed.
    await engine.containers.kill(containerId, "SIGKILL");
    const failed = await reached(lasting.ID, "failed");
    expect(failed.Err).toBe("task: non-zero exit (137)");
  });
});
