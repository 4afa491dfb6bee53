import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { silentLogger, sleep, systemClock } from "../lib/index.ts";
import { Manager, resolveSwarmAddresses, type ManagerDeps } from "../manager/index.ts";
import { LmdbRaftStorage } from "../raft/index.ts";
import { service as serviceFixture, task as taskFixture } from "../store/store-fixtures.ts";
import type { AssignedFile, LogOptions, Task, TaskLogLine, TaskStatusReport } from "../types/index.ts";
import { Agent, type AgentDeps, type TaskExecutor } from "./index.ts";
import { freePort } from "../../test/support/raft-process-cluster.ts";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataRoot(): string {
  const dir = mkdtempSync("/tmp/shoal-session-");
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const facts = { hostname: "manager1", architecture: "x86_64", nanoCpus: 2e9, memoryBytes: 4 << 30, engineVersion: "0.1.0" };

/** An executor that records what it is asked and reports what the test tells it to. */
class RecordingExecutor implements TaskExecutor {
  calls: { tasks: Task[]; files: AssignedFile[] }[] = [];
  #listener: (reports: TaskStatusReport[]) => void = () => {};
  #statuses = new Map<string, TaskStatusReport>();
  reconcile(tasks: readonly Task[], files: readonly AssignedFile[]): void {
    this.calls.push({ tasks: [...tasks], files: [...files] });
  }
  onStatus(listener: (reports: TaskStatusReport[]) => void): void {
    this.#listener = listener;
  }
  statuses(): TaskStatusReport[] {
    return [...this.#statuses.values()];
  }
  report(report: TaskStatusReport): void {
    this.#statuses.set(report.taskId, report);
    this.#listener([report]);
  }
  logLines = new Map<string, TaskLogLine[]>();
  logs(taskId: string, options: LogOptions, _signal: AbortSignal): AsyncIterable<TaskLogLine> | null {
    const lines = this.logLines.get(taskId);
    if (!lines) return null;
    const shown = options.tail === undefined ? lines : options.tail === 0 ? [] : lines.slice(-options.tail);
    return (async function* () {
      yield* shown;
    })();
  }
  last(): { tasks: Task[]; files: AssignedFile[] } {
    return this.calls.at(-1) ?? { tasks: [], files: [] };
  }
  async close(): Promise<void> {}
}

async function until(condition: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(systemClock, 20);
  }
}

async function swarmWithWorker(heartbeatMs: number): Promise<{ manager: Manager; agent: Agent; executor: RecordingExecutor; deps: AgentDeps }> {
  const port = freePort();
  const managerDeps: ManagerDeps = { dataRoot: dataRoot(), clock: systemClock, logger: silentLogger, openRaftStorage: (path, options) => LmdbRaftStorage.open(path, options), tickMs: 20, orchestration: false };
  const manager = await Manager.init(managerDeps, {
    addresses: resolveSwarmAddresses({ listenAddr: `127.0.0.1:${port}`, advertiseAddr: "127.0.0.1" }, {}),
    spec: { Dispatcher: { HeartbeatPeriod: heartbeatMs * 1e6 } },
    facts,
  });
  cleanups.push(() => manager.stop());
  const executor = new RecordingExecutor();
  const deps: AgentDeps = { dataRoot: dataRoot(), clock: systemClock, logger: silentLogger, executor };
  const agent = await Agent.join(deps, { remoteAddrs: [`127.0.0.1:${port}`], joinToken: manager.swarm().JoinTokens.Worker, advertiseHost: "", facts: { ...facts, hostname: "worker1" } });
  cleanups.push(() => agent.stop());
  return { manager, agent, executor, deps };
}

test("tasks assigned to a node reach its executor; status reports reach the store; desired-state changes follow; removal takes them away", async () => {
  const { manager, agent, executor } = await swarmWithWorker(5000);
  const store = manager.store;
  const service = await store.update((tx) => tx.create("services", serviceFixture("web")));
  const secret = await store.update((tx) => tx.create("secrets", { Spec: { Name: "pw", Labels: {}, Data: Buffer.from("hunter2").toString("base64") } }));
  const [assigned, pending, elsewhere] = await store.update((tx) => [
    tx.create("tasks", {
      ...taskFixture(service.ID, 1, { nodeId: agent.nodeId, state: "assigned" }),
      Spec: { ContainerSpec: { Image: "busybox", Secrets: [{ SecretID: secret.ID, SecretName: "pw", File: { Name: "pw", UID: "0", GID: "0", Mode: 0o444 } }] }, ForceUpdate: 0 },
    }),
    tx.create("tasks", taskFixture(service.ID, 2, { nodeId: agent.nodeId, state: "pending" })),
    tx.create("tasks", taskFixture(service.ID, 3, { nodeId: manager.nodeId, state: "assigned" })),
  ]);
  await until(() => executor.last().tasks.some((task) => task.ID === assigned.ID));
  // Only what was handed to this node: not a pending task, not another node's.
  expect(executor.last().tasks.map((task) => task.ID)).toEqual([assigned.ID]);
  expect(executor.last().files.map((file) => [file.kind, file.name, Buffer.from(file.data).toString()])).toEqual([["secret", "pw", "hunter2"]]);
  expect(pending.ID).not.toBe(elsewhere.ID);

  const calls = executor.calls.length;
  executor.report({ taskId: assigned.ID, status: { Timestamp: new Date().toISOString(), State: "running", Message: "started", ContainerStatus: { ContainerID: "c1", PID: 42 } } });
  await until(() => store.view((tx) => tx.get("tasks", assigned.ID))?.Status.State === "running");
  expect(store.view((tx) => tx.get("tasks", assigned.ID))?.Status.ContainerStatus).toEqual({ ContainerID: "c1", PID: 42 });
  // A report that would take the task backwards, or one for another node's task, changes nothing.
  executor.report({ taskId: assigned.ID, status: { Timestamp: new Date().toISOString(), State: "preparing", Message: "late" } });
  executor.report({ taskId: elsewhere.ID, status: { Timestamp: new Date().toISOString(), State: "running", Message: "not mine" } });
  await sleep(systemClock, 400);
  expect(store.view((tx) => tx.get("tasks", assigned.ID))?.Status.State).toBe("running");
  expect(store.view((tx) => tx.get("tasks", elsewhere.ID))?.Status.State).toBe("assigned");
  // Its own status report is not echoed back as an assignment change.
  expect(executor.calls.length).toBe(calls);

  await store.update((tx) => {
    const task = tx.get("tasks", assigned.ID)!;
    tx.update("tasks", { ...task, DesiredState: "shutdown" });
  });
  await until(() => executor.last().tasks.find((task) => task.ID === assigned.ID)?.DesiredState === "shutdown");
  expect(executor.last().files).toEqual([]);
  await store.update((tx) => tx.delete("tasks", assigned.ID));
  await until(() => executor.last().tasks.length === 0);
}, 30_000);

test("a node whose session breaks without a word is down long before the heartbeat grace; one that says it restarts is not", async () => {
  const { manager, agent, deps } = await swarmWithWorker(5000);
  const stateOf = () => manager.node(agent.nodeId).Status.State;
  expect(stateOf()).toBe("ready");
  // Restarting: the node keeps its place for the heartbeat grace (15 s here).
  await agent.stop("restart");
  await sleep(systemClock, 2500);
  expect(stateOf()).toBe("ready");
  const again = await Agent.restart(deps);
  cleanups.push(() => again.stop());
  await until(() => manager.store.view((tx) => tx.get("nodes", agent.nodeId)) !== undefined && stateOf() === "ready");
  await sleep(systemClock, 300);
  // Dying: the session closes without SessionEnding; down well within the 15 s heartbeat grace.
  const started = Date.now();
  await again.stop();
  await until(() => stateOf() === "down", 10_000);
  console.log(`session lost → down in ${Date.now() - started} ms (heartbeat grace 15000 ms)`);
  expect(manager.node(agent.nodeId).Status.Message).toBe("heartbeat failure");
}, 40_000);

test("leaving marks the node down at once with its reason", async () => {
  const { manager, agent } = await swarmWithWorker(5000);
  await agent.leave();
  await until(() => manager.node(agent.nodeId).Status.State === "down", 3000);
  expect(manager.node(agent.nodeId).Status.Message).toBe("node left the swarm");
}, 30_000);

test("service logs come from the nodes that run its tasks; a node that cannot be asked is named in a warning", async () => {
  const { manager, agent, executor } = await swarmWithWorker(5000);
  const store = manager.store;
  const service = await store.update((tx) => tx.create("services", serviceFixture("web")));
  const [onWorker, onManager] = await store.update((tx) => [
    tx.create("tasks", taskFixture(service.ID, 1, { nodeId: agent.nodeId, state: "running" })),
    tx.create("tasks", taskFixture(service.ID, 2, { nodeId: manager.nodeId, state: "running" })),
  ]);
  const line = (text: string): TaskLogLine => ({ time: "2026-11-28T00:00:00.000000001Z", stream: "stdout", text, complete: true });
  executor.logLines.set(onWorker.ID, [line("one"), line("two"), line("three")]);
  await until(() => executor.last().tasks.length === 1);
  await sleep(systemClock, 200); // the worker's subscription stream is open by now
  const texts: string[] = [];
  const warnings: string[] = [];
  for await (const batch of manager.logs({ serviceIds: [service.ID], taskIds: [] }, { follow: false, tail: 2 }, new AbortController().signal)) {
    for (const published of batch.lines) {
      expect([published.taskId, published.nodeId, published.serviceId]).toEqual([onWorker.ID, agent.nodeId, service.ID]);
      texts.push(published.text);
    }
    warnings.push(...(batch.warnings ?? []));
  }
  expect(texts).toEqual(["two", "three"]);
  // This test's manager runs no agent: its task's logs cannot be had.
  expect(warnings).toEqual([`node ${manager.nodeId} is not available`]);
  expect(onManager.NodeID).toBe(manager.nodeId);
}, 30_000);
