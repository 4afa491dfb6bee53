import { afterEach, expect, test } from "bun:test";
import { silentLogger } from "../../lib/index.ts";
import { ClusterStore } from "../../store/index.ts";
import * as fixtures from "../../store/store-fixtures.ts";
import { compareTaskStates, type Service, type ServiceSpec, type Task, type UpdateConfig } from "../../types/index.ts";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import { RollingUpdater } from "./rolling-updater.ts";
import type { Slot } from "./service-updater.ts";
import { isTaskDirty } from "./task-dirty.ts";

const SECOND = 1_000;
const NS = 1e9;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Lets every promise chain that the last clock step started run to its end (no I/O here: one macrotask turn suffices). */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A fake agent for every node: it schedules new tasks on their node (or n1), starts a task
 * desired running `startMs` later, stops one desired shut down `stopMs` later. Images tell it how
 * the task behaves: `bad:*` fails to start, `flaky-<n>s:*` runs and exits with an error n seconds
 * later, anything else runs until stopped. Every observed change is written to `timeline`.
 */
class FakeAgent {
  readonly timeline: string[] = [];
  /** The most tasks of one slot seen running at once, and whether a slot was ever left with none running. */
  maxRunningInSlot = 0;
  readonly #store: ClusterStore;
  readonly #clock: FakeClock;
  readonly #t0: number;
  readonly #busy = new Set<string>();
  readonly #abort = new AbortController();

  constructor(store: ClusterStore, clock: FakeClock, readonly startMs = 1 * SECOND, readonly stopMs = 2 * SECOND) {
    this.#store = store;
    this.#clock = clock;
    this.#t0 = clock.now();
    const watch = store.watch({ table: "tasks", kinds: ["create", "update"], signal: this.#abort.signal });
    void (async () => {
      for await (const event of watch) if (event.kind !== "commit") this.#react(event.object as Task);
    })();
  }

  close(): void {
    this.#abort.abort();
  }

  #react(task: Task): void {
    const wanted = task.DesiredState;
    const observed = task.Status.State;
    if (compareTaskStates(wanted, "running") <= 0 && compareTaskStates(observed, "assigned") < 0) {
      this.#later(task.ID, "schedule", 0, () => "assigned");
    } else if (wanted === "running" && compareTaskStates(observed, "running") < 0) {
      this.#later(task.ID, "start", this.startMs, (now) => (now.DesiredState === "running" && compareTaskStates(now.Status.State, "running") < 0 ? (imageOf(now).startsWith("bad:") ? "failed" : "running") : null));
    } else if (wanted === "running" && observed === "running" && flakySeconds(task) !== null) {
      this.#later(task.ID, "crash", flakySeconds(task)! * SECOND, (now) => (now.Status.State === "running" && now.DesiredState === "running" ? "failed" : null));
    } else if (compareTaskStates(wanted, "running") > 0 && compareTaskStates(observed, "running") <= 0) {
      this.#later(task.ID, "stop", observed === "running" ? this.stopMs : 0, (now) => (compareTaskStates(now.Status.State, "running") <= 0 ? "shutdown" : null));
    }
  }

  /** Moves the task to `next(task)` (if not null) `ms` from now; one pending move of each kind per task. */
  #later(taskId: string, kind: string, ms: number, next: (task: Task) => Task["Status"]["State"] | null): void {
    const key = `${taskId} ${kind}`;
    if (this.#busy.has(key)) return;
    this.#busy.add(key);
    this.#clock.setTimeout(() => {
      this.#busy.delete(key);
      const task = this.#store.view((tx) => tx.get("tasks", taskId));
      const state = task && next(task);
      if (state) void this.#set(taskId, state);
    }, ms);
  }

  async #set(taskId: string, state: Task["Status"]["State"]): Promise<void> {
    if (this.#abort.signal.aborted) return;
    const now = this.#clock.now();
    const task = await this.#store.update((tx) => {
      const task = tx.get("tasks", taskId)!;
      if (compareTaskStates(task.Status.State, state) >= 0) return null;
      return tx.update("tasks", { ...task, NodeID: task.NodeID ?? "n1", Status: { ...task.Status, State: state, Timestamp: new Date(now).toISOString(), Message: state } });
    });
    if (!task) return;
    if (state === "running" || state === "shutdown" || state === "failed") {
      this.timeline.push(`${(now - this.#t0) / SECOND}s ${task.Slot !== undefined ? `slot ${task.Slot}` : task.NodeID} ${imageOf(task)} ${state}`);
    }
    const running = this.#store.view((tx) => tx.find("tasks", { index: "service", key: task.ServiceID }).filter((t) => t.Status.State === "running" && slotKey(t) === slotKey(task)));
    this.maxRunningInSlot = Math.max(this.maxRunningInSlot, running.length);
  }
}

function imageOf(task: Task): string {
  return task.Spec.ContainerSpec?.Image ?? "";
}

function flakySeconds(task: Task): number | null {
  const match = /^flaky-(\d+)s:/.exec(imageOf(task));
  return match ? Number(match[1]) : null;
}

function slotKey(task: Task): string {
  return task.Slot !== undefined ? `slot ${task.Slot}` : `node ${task.NodeID}`;
}

/** The tasks of a service still meant to run, grouped by slot (or node), as the orchestrators hand them over. */
function slotsOf(store: ClusterStore, serviceId: string): Slot[] {
  const live = store.view((tx) => tx.find("tasks", { index: "service", key: serviceId })).filter((task) => compareTaskStates(task.DesiredState, "running") <= 0);
  const slots = new Map<string, Task[]>();
  for (const task of live) slots.set(slotKey(task), [...(slots.get(slotKey(task)) ?? []), task]);
  return [...slots.keys()].sort().map((key) => slots.get(key)!);
}

/**
 * A fake orchestrator: on every change of a service (and when asked) it hands the service's slots
 * to the updater when one is dirty or an update is under way — what the replicated and global
 * orchestrators do.
 */
function orchestrate(store: ClusterStore, updater: RollingUpdater): { reconcile(serviceId: string): void; close(): void; calls: number } {
  const abort = new AbortController();
  const state = {
    calls: 0,
    reconcile(serviceId: string) {
      const service = store.view((tx) => tx.get("services", serviceId));
      if (!service) return;
      const slots = slotsOf(store, serviceId);
      const underway = service.UpdateStatus?.State === "updating" || service.UpdateStatus?.State === "rollback_started";
      if (!underway && !slots.some((slot) => slot.length > 1 || slot.some((task) => isTaskDirty(service, task)))) return;
      state.calls++;
      updater.update(service, slots);
    },
    close: () => abort.abort(),
  };
  const watch = store.watch({ table: "services", kinds: ["create", "update"], signal: abort.signal });
  void (async () => {
    for await (const event of watch) if (event.kind !== "commit") state.reconcile(event.object.ID);
  })();
  return state;
}

interface ClusterOptions {
  replicas?: number;
  /** Global service on these nodes instead of a replicated one. */
  globalNodes?: string[];
  update?: Partial<UpdateConfig>;
  rollback?: Partial<UpdateConfig>;
}

/** A store with a service at `app:v1` whose tasks run, the fake agent, the updater and a fake orchestrator. */
async function cluster(options: ClusterOptions = {}) {
  const clock = new FakeClock();
  const store = new ClusterStore({ clock });
  const nodes = options.globalNodes ?? ["n1"];
  for (const id of nodes) await store.update((tx) => tx.create("nodes", { ...fixtures.node(id), ID: id }));
  const base = fixtures.service("web", { replicas: options.replicas ?? 3, image: "app:v1" });
  const config = (overrides: Partial<UpdateConfig> | undefined): UpdateConfig => ({ Parallelism: 1, MaxFailureRatio: 0, Order: "stop-first", Monitor: 5 * NS, ...overrides });
  const spec: ServiceSpec = {
    ...base.Spec,
    ...(options.globalNodes ? { Mode: { Global: {} } } : {}),
    UpdateConfig: config(options.update),
    RollbackConfig: config(options.rollback),
  };
  const service = await store.update((tx) => tx.create("services", { ...base, ID: "svc", Spec: spec }));
  await store.update((tx) => {
    const owners = options.globalNodes ?? Array.from({ length: options.replicas ?? 3 }, (_, i) => i + 1);
    for (const owner of owners) {
      const task = fixtures.task("svc", 1, { state: "running", nodeId: typeof owner === "string" ? owner : "n1" });
      const { Slot: _slot, ...placed } = task;
      tx.create("tasks", { ...(typeof owner === "number" ? { ...task, Slot: owner } : placed), Spec: service.Spec.TaskTemplate });
    }
  });
  const agent = new FakeAgent(store, clock);
  const updater = new RollingUpdater({ store, clock, logger: silentLogger });
  const orchestrator = orchestrate(store, updater);
  cleanups.push(async () => {
    orchestrator.close();
    agent.close();
    await updater.stop();
    store.close();
  });

  /** Moves time by `ms`, one timer at a time, letting everything react after each. */
  const pass = async (ms: number) => {
    const until = clock.now() + ms;
    do await settle();
    while (clock.runNext(until));
  };
  const current = () => store.view((tx) => tx.get("services", "svc")!);
  /** `service update`: what the API writes (new spec, the old one kept, update status reset). */
  const updateSpec = async (change: (spec: ServiceSpec) => ServiceSpec) => {
    await store.update((tx) => {
      const { UpdateStatus: _status, ...service } = tx.get("services", "svc")!;
      tx.update("services", { ...service, PreviousSpec: service.Spec, Spec: change(service.Spec) });
    });
    await settle();
  };
  const withImage = (image: string) => (spec: ServiceSpec): ServiceSpec => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...spec.TaskTemplate.ContainerSpec, Image: image } } });
  /** Images of the tasks meant to run, by slot. */
  const images = () => slotsOf(store, "svc").map((slot) => slot.map(imageOf).join("+"));
  const taskCount = () => store.view((tx) => tx.find("tasks", { index: "service", key: "svc" }).length);
  return { clock, store, agent, updater, orchestrator, pass, current, updateSpec, withImage, images, taskCount, t0: clock.now() };
}

const at = (t0: number, seconds: number) => new Date(t0 + seconds * SECOND).toISOString();

test("stop-first, parallelism 1, delay 10s: one slot at a time, the old task stopped before the new one starts, then the monitor period, then completed", async () => {
  const c = await cluster({ update: { Parallelism: 1, Delay: 10 * NS } });
  await c.updateSpec(c.withImage("app:v2"));
  await c.pass(1 * SECOND);
  expect(c.current().UpdateStatus).toEqual({ State: "updating", StartedAt: at(c.t0, 0), Message: "update in progress" });
  await c.pass(40 * SECOND);
  // Stop takes 2 s and start 1 s: each slot is down for 3 s, then 10 s of delay before the next.
  expect(c.agent.timeline.join("\n")).toBe(
    [
      "2s slot 1 app:v1 shutdown",
      "3s slot 1 app:v2 running",
      "15s slot 2 app:v1 shutdown",
      "16s slot 2 app:v2 running",
      "28s slot 3 app:v1 shutdown",
      "29s slot 3 app:v2 running",
    ].join("\n"),
  );
  expect(c.agent.maxRunningInSlot).toBe(1);
  // Completed once the last task ran for the monitor period (5 s).
  expect(c.current().UpdateStatus).toEqual({ State: "completed", StartedAt: at(c.t0, 0), CompletedAt: at(c.t0, 34), Message: "update completed" });
  expect(c.images()).toEqual(["app:v2", "app:v2", "app:v2"]);
  expect(c.taskCount()).toBe(6);
});

test("parallelism N replaces N slots at a time; parallelism 0 replaces them all at once", async () => {
  const two = await cluster({ replicas: 4, update: { Parallelism: 2, Delay: 5 * NS } });
  await two.updateSpec(two.withImage("app:v2"));
  await two.pass(30 * SECOND);
  expect(two.agent.timeline.filter((line) => line.includes("v2 running"))).toEqual(["3s slot 1 app:v2 running", "3s slot 2 app:v2 running", "11s slot 3 app:v2 running", "11s slot 4 app:v2 running"]);
  expect(two.current().UpdateStatus?.State).toBe("completed");

  const all = await cluster({ replicas: 4, update: { Parallelism: 0, Delay: 5 * NS } });
  await all.updateSpec(all.withImage("app:v2"));
  await all.pass(30 * SECOND);
  expect(all.agent.timeline.filter((line) => line.includes("v2 running"))).toEqual(["3s slot 1 app:v2 running", "3s slot 2 app:v2 running", "3s slot 3 app:v2 running", "3s slot 4 app:v2 running"]);
  expect(all.current().UpdateStatus).toMatchObject({ State: "completed", CompletedAt: at(all.t0, 8) });
});

test("start-first: the new task runs before the old one is asked to stop, so the slot is never empty", async () => {
  const c = await cluster({ replicas: 2, update: { Order: "start-first" } });
  await c.updateSpec(c.withImage("app:v2"));
  await c.pass(20 * SECOND);
  expect(c.agent.timeline.join("\n")).toBe(
    // With no delay, slot 2 is taken as soon as slot 1's new task runs.
    ["1s slot 1 app:v2 running", "2s slot 2 app:v2 running", "3s slot 1 app:v1 shutdown", "4s slot 2 app:v1 shutdown"].join("\n"),
  );
  expect(c.agent.maxRunningInSlot).toBe(2);
  expect(c.current().UpdateStatus).toMatchObject({ State: "completed", CompletedAt: at(c.t0, 7) });
});

test("a global service is updated node by node, each replacement on the node of the task it replaces", async () => {
  const c = await cluster({ globalNodes: ["n1", "n2"] });
  await c.updateSpec(c.withImage("app:v2"));
  await c.pass(20 * SECOND);
  expect(c.agent.timeline.join("\n")).toBe(["2s n1 app:v1 shutdown", "3s n1 app:v2 running", "5s n2 app:v1 shutdown", "6s n2 app:v2 running"].join("\n"));
  expect(c.current().UpdateStatus?.State).toBe("completed");
});

test("failure action pause: a new task that fails pauses the update with SwarmKit's message; it stays paused until the spec changes", async () => {
  const c = await cluster({ update: { FailureAction: "pause" } });
  await c.updateSpec(c.withImage("bad:v2"));
  await c.pass(20 * SECOND);
  const failed = c.store.view((tx) => tx.find("tasks", { index: "service", key: "svc" })).find((task) => task.Status.State === "failed")!;
  expect(c.current().UpdateStatus).toEqual({ State: "paused", StartedAt: at(c.t0, 0), Message: `update paused due to failure or early termination of task ${failed.ID}` });
  expect(c.agent.timeline).toEqual(["2s slot 1 app:v1 shutdown", "3s slot 1 bad:v2 failed"]);
  // The orchestrator hands the same service over again: nothing happens.
  const tasks = c.taskCount();
  c.orchestrator.reconcile("svc");
  await c.pass(20 * SECOND);
  expect(c.taskCount()).toBe(tasks);
  expect(c.current().UpdateStatus?.State).toBe("paused");
  // A new spec starts a new update.
  await c.updateSpec(c.withImage("app:v3"));
  await c.pass(30 * SECOND);
  expect(c.images()).toEqual(["app:v3", "app:v3", "app:v3"]);
  expect(c.current().UpdateStatus).toMatchObject({ State: "completed", Message: "update completed" });
});

test("failure action continue: failures do not stop the update", async () => {
  const c = await cluster({ update: { FailureAction: "continue" } });
  await c.updateSpec(c.withImage("bad:v2"));
  await c.pass(30 * SECOND);
  expect(c.agent.timeline.filter((line) => line.includes("failed"))).toEqual(["3s slot 1 bad:v2 failed", "6s slot 2 bad:v2 failed", "9s slot 3 bad:v2 failed"]);
  expect(c.current().UpdateStatus).toMatchObject({ State: "completed", Message: "update completed" });
});

test("the failure ratio tolerates failures up to MaxFailureRatio of the slots", async () => {
  // 1 failure of 3 slots is 0.33 ≤ 0.4: go on; the second makes 0.67.
  const c = await cluster({ update: { FailureAction: "pause", MaxFailureRatio: 0.4 } });
  await c.updateSpec(c.withImage("bad:v2"));
  await c.pass(30 * SECOND);
  expect(c.agent.timeline.filter((line) => line.includes("failed"))).toEqual(["3s slot 1 bad:v2 failed", "6s slot 2 bad:v2 failed"]);
  expect(c.current().UpdateStatus?.State).toBe("paused");
  expect(c.images()).toEqual(["bad:v2", "bad:v2", "app:v1"]);
});

test("a task that fails within the monitor period after it started counts; one that fails later does not", async () => {
  const within = await cluster({ replicas: 1, update: { Monitor: 5 * NS } });
  await within.updateSpec(within.withImage("flaky-4s:v2"));
  await within.pass(20 * SECOND);
  expect(within.agent.timeline).toEqual(["2s slot 1 app:v1 shutdown", "3s slot 1 flaky-4s:v2 running", "7s slot 1 flaky-4s:v2 failed"]);
  expect(within.current().UpdateStatus?.State).toBe("paused");

  const after = await cluster({ replicas: 1, update: { Monitor: 3 * NS } });
  await after.updateSpec(after.withImage("flaky-4s:v2"));
  await after.pass(20 * SECOND);
  expect(after.current().UpdateStatus).toMatchObject({ State: "completed", CompletedAt: at(after.t0, 6) });
});

test("failure action rollback: the spec goes back to the previous one, which is rolled out with RollbackConfig, then rollback completed", async () => {
  const c = await cluster({
    update: { FailureAction: "rollback", MaxFailureRatio: 0.5 },
    rollback: { Parallelism: 0, Order: "start-first" },
  });
  const before = c.current().Spec;
  await c.updateSpec(c.withImage("flaky-4s:v2"));
  await c.pass(40 * SECOND);
  const failedIds = c.store.view((tx) => tx.find("tasks", { index: "service", key: "svc" })).filter((task) => task.Status.State === "failed").map((task) => task.ID);
  // Slot 1's task fails at 7 s (1/3 ≤ 0.5), slot 2's at 10 s (2/3): roll back. The rollback takes all
  // slots at once, start-first.
  expect(c.agent.timeline.join("\n")).toBe(
    [
      "2s slot 1 app:v1 shutdown",
      "3s slot 1 flaky-4s:v2 running",
      "5s slot 2 app:v1 shutdown",
      "6s slot 2 flaky-4s:v2 running",
      "7s slot 1 flaky-4s:v2 failed",
      "8s slot 3 app:v1 shutdown",
      "9s slot 3 flaky-4s:v2 running",
      "10s slot 2 flaky-4s:v2 failed",
      "11s slot 1 app:v1 running",
      "11s slot 2 app:v1 running",
      "11s slot 3 app:v1 running",
      "13s slot 3 flaky-4s:v2 shutdown",
    ].join("\n"),
  );
  const service = c.current();
  expect(service.Spec).toEqual(before);
  expect(service.PreviousSpec).toBeUndefined();
  expect(service.UpdateStatus).toEqual({ State: "rollback_completed", StartedAt: at(c.t0, 0), CompletedAt: at(c.t0, 16), Message: "rollback completed" });
  expect(failedIds).toHaveLength(2);
  expect(c.images()).toEqual(["app:v1", "app:v1", "app:v1"]);
});

test("the rollback message names the failed task while the rollback runs", async () => {
  const c = await cluster({ replicas: 1, update: { FailureAction: "rollback" } });
  await c.updateSpec(c.withImage("bad:v2"));
  await c.pass(3 * SECOND);
  const failed = c.store.view((tx) => tx.find("tasks", { index: "service", key: "svc" })).find((task) => task.Status.State === "failed")!;
  expect(c.current().UpdateStatus).toEqual({ State: "rollback_started", StartedAt: at(c.t0, 0), Message: `update rolled back due to failure or early termination of task ${failed.ID}` });
});

test("a failing rollback pauses instead of rolling back again", async () => {
  const c = await cluster({ replicas: 1, update: { FailureAction: "continue" }, rollback: { FailureAction: "rollback" } });
  // The previous spec is itself broken (that update went on through failures): its rollback fails too.
  await c.updateSpec(c.withImage("bad:v1"));
  await c.pass(10 * SECOND);
  expect(c.current().UpdateStatus?.State).toBe("completed");
  await c.updateSpec((spec) => ({ ...c.withImage("bad:v2")(spec), UpdateConfig: { ...spec.UpdateConfig!, FailureAction: "rollback" } }));
  await c.pass(20 * SECOND);
  const service = c.current();
  expect(service.UpdateStatus?.State).toBe("rollback_paused");
  expect(service.UpdateStatus?.Message).toStartWith("rollback paused due to failure or early termination of task ");
  expect(service.Spec.TaskTemplate.ContainerSpec?.Image).toBe("bad:v1");
});

test("a manual rollback (the API swaps Spec and PreviousSpec, rollback_started) is carried out with RollbackConfig", async () => {
  const c = await cluster({ update: { Parallelism: 1, Delay: 10 * NS }, rollback: { Parallelism: 0 } });
  await c.updateSpec(c.withImage("app:v2"));
  await c.pass(60 * SECOND);
  expect(c.current().UpdateStatus?.State).toBe("completed");
  const t1 = c.clock.now();
  await c.store.update((tx) => {
    const service = tx.get("services", "svc")!;
    tx.update("services", {
      ...service,
      Spec: service.PreviousSpec!,
      PreviousSpec: service.Spec,
      UpdateStatus: { State: "rollback_started", StartedAt: new Date(t1).toISOString(), Message: "manually requested rollback" },
    });
  });
  await c.pass(20 * SECOND);
  const t = (seconds: number) => `${(t1 - c.t0) / SECOND + seconds}s`;
  expect(c.agent.timeline.slice(6)).toEqual([
    `${t(2)} slot 1 app:v2 shutdown`,
    `${t(2)} slot 2 app:v2 shutdown`,
    `${t(2)} slot 3 app:v2 shutdown`,
    `${t(3)} slot 1 app:v1 running`,
    `${t(3)} slot 2 app:v1 running`,
    `${t(3)} slot 3 app:v1 running`,
  ]);
  expect(c.current().UpdateStatus).toEqual({ State: "rollback_completed", StartedAt: new Date(t1).toISOString(), CompletedAt: new Date(t1 + 8 * SECOND).toISOString(), Message: "rollback completed" });
});

test("a new spec supersedes a running update; the same spec again is a no-op", async () => {
  const c = await cluster({ update: { Parallelism: 1, Delay: 10 * NS } });
  await c.updateSpec(c.withImage("app:v2"));
  await c.pass(5 * SECOND);
  // Same spec handed over again (e.g. after a task event): the running update goes on untouched.
  c.updater.update(c.current(), slotsOf(c.store, "svc"));
  await c.pass(1 * SECOND);
  expect(c.agent.timeline).toEqual(["2s slot 1 app:v1 shutdown", "3s slot 1 app:v2 running"]);
  await c.updateSpec(c.withImage("app:v3"));
  await c.pass(60 * SECOND);
  expect(c.agent.timeline.filter((line) => line.includes("running"))).toEqual([
    "3s slot 1 app:v2 running",
    "9s slot 1 app:v3 running",
    "22s slot 2 app:v3 running",
    "35s slot 3 app:v3 running",
  ]);
  expect(c.images()).toEqual(["app:v3", "app:v3", "app:v3"]);
  expect(c.current().UpdateStatus).toMatchObject({ State: "completed", StartedAt: at(c.t0, 6) });
});

test("cancel stops an update: no task is replaced and nothing is written after it", async () => {
  const c = await cluster({ update: { Parallelism: 1, Delay: 10 * NS } });
  await c.updateSpec(c.withImage("app:v2"));
  await c.pass(5 * SECOND);
  c.orchestrator.close();
  c.updater.cancel("svc");
  const version = c.current().Version.Index;
  await c.pass(60 * SECOND);
  expect(c.images()).toEqual(["app:v2", "app:v1", "app:v1"]);
  expect(c.current().Version.Index).toBe(version);
  expect(c.current().UpdateStatus?.State).toBe("updating");
});

test("stop ends every update and writes nothing more; a new leader's updater carries on from the store", async () => {
  const c = await cluster({ update: { Parallelism: 1, Delay: 10 * NS } });
  await c.updateSpec(c.withImage("app:v2"));
  await c.pass(5 * SECOND);
  c.orchestrator.close();
  await c.updater.stop();
  c.updater.update(c.current(), slotsOf(c.store, "svc"));
  await c.pass(30 * SECOND);
  expect(c.images()).toEqual(["app:v2", "app:v1", "app:v1"]);
  expect(c.current().UpdateStatus).toEqual({ State: "updating", StartedAt: at(c.t0, 0), Message: "update in progress" });

  // The next leader: its orchestrator hands the service over; slot 1 is clean and skipped.
  const next = new RollingUpdater({ store: c.store, clock: c.clock, logger: silentLogger });
  const orchestrator = orchestrate(c.store, next);
  cleanups.push(async () => {
    orchestrator.close();
    await next.stop();
  });
  orchestrator.reconcile("svc");
  await c.pass(30 * SECOND);
  expect(c.agent.timeline.slice(2)).toEqual(["37s slot 2 app:v1 shutdown", "38s slot 2 app:v2 running", "50s slot 3 app:v1 shutdown", "51s slot 3 app:v2 running"]);
  expect(c.current().UpdateStatus).toEqual({ State: "completed", StartedAt: at(c.t0, 0), CompletedAt: at(c.t0, 56), Message: "update completed" });
});

test("an update whose slots are all clean while it is under way only records its completion", async () => {
  const c = await cluster();
  await c.store.update((tx) => tx.update("services", { ...tx.get("services", "svc")!, UpdateStatus: { State: "updating", StartedAt: at(c.t0, 0), Message: "update in progress" } }));
  await c.pass(1 * SECOND);
  expect(c.current().UpdateStatus).toEqual({ State: "completed", StartedAt: at(c.t0, 0), CompletedAt: at(c.t0, 0), Message: "update completed" });
  expect(c.agent.timeline).toEqual([]);
});

test("a replacement waiting for its slot to stop still starts when its update is superseded by a change that keeps the task template", async () => {
  const c = await cluster({ update: { Parallelism: 1, Delay: 10 * NS } });
  await c.updateSpec(c.withImage("app:v2"));
  await c.pass(1 * SECOND);
  // Slot 1: the old task is stopping, its replacement waits (desired ready). A label change now.
  await c.updateSpec((spec) => ({ ...spec, Labels: { tier: "web" } }));
  await c.pass(60 * SECOND);
  // The new update takes slot 2 at once (slot 1 is clean); slot 1's replacement starts once its old task stopped.
  expect(c.agent.timeline.join("\n")).toBe(
    [
      "2s slot 1 app:v1 shutdown",
      "3s slot 2 app:v1 shutdown",
      "3s slot 1 app:v2 running",
      "4s slot 2 app:v2 running",
      "16s slot 3 app:v1 shutdown",
      "17s slot 3 app:v2 running",
    ].join("\n"),
  );
  expect(c.images()).toEqual(["app:v2", "app:v2", "app:v2"]);
  expect(c.agent.maxRunningInSlot).toBe(1);
  expect(c.current().UpdateStatus?.State).toBe("completed");
});

test("removing the service cancels its update, pending starts included", async () => {
  const c = await cluster({ update: { Parallelism: 1 } });
  await c.updateSpec(c.withImage("app:v2"));
  await c.pass(1 * SECOND);
  c.orchestrator.close();
  c.updater.cancel("svc");
  await c.pass(30 * SECOND);
  // The old task stopped; its replacement was never told to run.
  expect(c.agent.timeline).toEqual(["2s slot 1 app:v1 shutdown"]);
  expect(c.store.view((tx) => tx.find("tasks", { index: "desiredState", key: "ready" })).map((task) => task.Slot)).toEqual([1]);
});
