import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import { ShoalError, silentLogger } from "../../lib/index.ts";
import { ClusterStore, type Propose } from "../../store/index.ts";
import * as fixtures from "../../store/store-fixtures.ts";
import type { Node, Service, Task, TaskSpec } from "../../types/index.ts";
import { ASSIGNED_MESSAGE, PREASSIGNED_MESSAGE } from "./decision-writer.ts";
import { Scheduler, WRITE_RETRY_MS } from "./scheduler.ts";
import { SchedulerState } from "./scheduler-state.ts";
import { reserving } from "./test-fixtures.ts";

const TICK = 20;
let clock: FakeClock;
let store: ClusterStore;
let scheduler: Scheduler | undefined;

afterEach(async () => {
  await scheduler?.stop();
  scheduler = undefined;
});

function setup(options: { propose?: Propose; batchSize?: number; watchQueueLimit?: number } = {}): void {
  clock = new FakeClock();
  store = new ClusterStore({ clock, ...(options.propose ? { propose: options.propose } : {}) });
  scheduler = new Scheduler({ store, clock, logger: silentLogger, tickMs: TICK, ...options });
}

/** Lets promise chains and store events run (no time passes). */
async function flush(): Promise<void> {
  for (let round = 0; round < 5; round++) await new Promise((resolve) => setImmediate(resolve));
}

/** Moves the fake clock tick by tick until `predicate` holds. */
async function until(predicate: () => boolean, what: string, ticks = 100): Promise<void> {
  for (let tick = 0; tick < ticks; tick++) {
    await flush();
    if (predicate()) return;
    clock.advance(TICK);
  }
  throw new Error(`still waiting for ${what}`);
}

async function addNode(hostname: string, change: (node: Node) => Node = (node) => node): Promise<Node> {
  return store.update((tx) => tx.create("nodes", change({ ...fixtures.node(hostname), ID: hostname } as Node)));
}

async function changeNode(id: string, change: (node: Node) => Node): Promise<void> {
  await store.update((tx) => tx.update("nodes", change(tx.get("nodes", id)!)));
}

async function addService(name: string): Promise<Service> {
  return store.update((tx) => tx.create("services", fixtures.service(name)));
}

async function addTasks(service: Service, count: number, options: { spec?: Partial<TaskSpec>; nodeId?: string; state?: Task["Status"]["State"]; desired?: Task["DesiredState"] } = {}): Promise<Task[]> {
  return store.update((tx) =>
    Array.from({ length: count }, (_, index) => {
      const task = fixtures.task(service.ID, index + 1, { state: options.state ?? "pending", ...(options.nodeId ? { nodeId: options.nodeId } : {}) });
      return tx.create("tasks", { ...task, Spec: { ...task.Spec, ...options.spec }, DesiredState: options.desired ?? "running" });
    }),
  );
}

const get = (id: string): Task => store.view((tx) => tx.get("tasks", id))!;
const nodeOf = (task: Task) => get(task.ID).NodeID;
const allAssigned = (tasks: Task[]) => () => tasks.every((task) => get(task.ID).Status.State === "assigned");
const errorOf = (task: Task) => get(task.ID).Status.Err;

test("on start, places every pending task desired running, spread over the ready nodes; leaves the others", async () => {
  setup();
  for (const name of ["a", "b", "c"]) await addNode(name);
  const web = await addService("web");
  await addTasks(web, 1, { nodeId: "a", state: "running" });
  const pending = await addTasks(web, 5);
  const [fresh] = await addTasks(web, 1, { state: "new" });
  const [unwanted] = await addTasks(web, 1, { desired: "shutdown" });
  const [job] = await addTasks(web, 1, { desired: "complete" });
  scheduler!.start();
  await until(allAssigned([...pending, job!]), "the pending tasks to be assigned");
  const counts: Record<string, number> = {};
  for (const task of store.view((tx) => tx.find("tasks"))) if (task.NodeID) counts[task.NodeID] = (counts[task.NodeID] ?? 0) + 1;
  expect(counts).toEqual({ a: 3, b: 2, c: 2 });
  expect(get(pending[0]!.ID).Status).toEqual({ State: "assigned", Message: ASSIGNED_MESSAGE, Timestamp: new Date(clock.now()).toISOString() });
  expect(get(fresh!.ID).Status.State).toBe("new");
  expect(get(unwanted!.ID).Status.State).toBe("pending");
  expect(nodeOf(unwanted!)).toBeUndefined();
});

test("tasks created while running are placed in one write per tick, in transactions of at most batchSize tasks", async () => {
  setup({ batchSize: 4 });
  await addNode("a");
  const web = await addService("web");
  scheduler!.start();
  await flush();
  const writes: number[] = [];
  const watch = store.watch({ table: "tasks", kinds: ["update", "commit"] });
  let assignedInEntry = 0;
  void (async () => {
    for await (const event of watch) {
      if (event.kind === "update" && event.object.Status.State === "assigned") assignedInEntry++;
      if (event.kind === "commit" && assignedInEntry > 0) writes.push(assignedInEntry), (assignedInEntry = 0);
    }
  })();
  const created: Task[] = [];
  for (let round = 0; round < 10; round++) created.push(...(await addTasks(web, 1)));
  await until(allAssigned(created), "the new tasks to be assigned");
  expect(writes).toEqual([4, 4, 2]);
  watch.close();
});

test("a task no node takes stays pending with SwarmKit's reason, rewritten only when the reason changes", async () => {
  setup();
  await addNode("a", (node) => ({ ...node, Description: { ...node.Description!, Resources: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 } } }));
  const web = await addService("web");
  const [task] = await addTasks(web, 1, { spec: reserving(2) });
  scheduler!.start();
  await until(() => errorOf(task!) !== undefined, "the task's error");
  expect(get(task!.ID).Status.State).toBe("pending");
  expect(errorOf(task!)).toBe("no suitable node (insufficient resources on 1 node)");
  const version = get(task!.ID).Version.Index;
  await addNode("b", (node) => ({ ...node, Spec: { ...node.Spec, Labels: { unrelated: "x" } }, Description: { ...node.Description!, Resources: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 } } }));
  clock.advance(10 * TICK);
  await flush();
  expect(errorOf(task!)).toBe("no suitable node (insufficient resources on 2 nodes)");
  const rewritten = get(task!.ID).Version.Index;
  expect(rewritten).toBeGreaterThan(version);
  await changeNode("b", (node) => ({ ...node, Spec: { ...node.Spec, Labels: { unrelated: "y" } } }));
  clock.advance(10 * TICK);
  await flush();
  expect(get(task!.ID).Version.Index).toBe(rewritten);
  await changeNode("b", (node) => ({ ...node, Description: { ...node.Description!, Resources: { NanoCPUs: 4e9, MemoryBytes: 2 ** 30 } } }));
  await until(allAssigned([task!]), "the task to be placed on the grown node");
  expect(nodeOf(task!)).toBe("b");
});

test("a task that stops frees its resources for a waiting task", async () => {
  setup();
  await addNode("a", (node) => ({ ...node, Description: { ...node.Description!, Resources: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 } } }));
  const web = await addService("web");
  const [running] = await addTasks(web, 1, { spec: reserving(1), nodeId: "a", state: "running" });
  const [waiting] = await addTasks(web, 1, { spec: reserving(1) });
  scheduler!.start();
  await until(() => errorOf(waiting!) !== undefined, "the waiting task's error");
  expect(errorOf(waiting!)).toBe("no suitable node (insufficient resources on 1 node)");
  await store.update((tx) => tx.update("tasks", { ...get(running!.ID), Status: { ...get(running!.ID).Status, State: "complete" } }));
  await until(allAssigned([waiting!]), "the waiting task to be placed");
  expect(nodeOf(waiting!)).toBe("a");
});

test("waiting tasks are tried again when a node becomes ready, active or gets the label they need", async () => {
  setup();
  await addNode("a", (node) => ({ ...node, Status: { ...node.Status, State: "down" } }));
  const web = await addService("web");
  const [task] = await addTasks(web, 1, { spec: { Placement: { Constraints: ["node.labels.zone==east"] } } });
  scheduler!.start();
  await until(() => errorOf(task!) === "no suitable node (1 node not available for new tasks)", "the down node's reason");
  await changeNode("a", (node) => ({ ...node, Status: { ...node.Status, State: "ready" }, Spec: { ...node.Spec, Availability: "drain" } }));
  clock.advance(10 * TICK);
  await flush();
  expect(errorOf(task!)).toBe("no suitable node (1 node not available for new tasks)");
  await changeNode("a", (node) => ({ ...node, Spec: { ...node.Spec, Availability: "active" } }));
  await until(() => errorOf(task!) === "no suitable node (scheduling constraints not satisfied on 1 node)", "the constraint's reason");
  await changeNode("a", (node) => ({ ...node, Spec: { ...node.Spec, Labels: { zone: "east" } } }));
  await until(allAssigned([task!]), "the task to be placed on the labelled node");
});

test("a preassigned task (global service) is checked against its own node only", async () => {
  setup();
  await addNode("a");
  await addNode("b", (node) => ({ ...node, Spec: { ...node.Spec, Availability: "drain" } }));
  const agent = await addService("agent");
  const [onA] = await addTasks(agent, 1, { nodeId: "a" });
  const [onB] = await addTasks(agent, 1, { nodeId: "b" });
  scheduler!.start();
  await until(() => get(onA!.ID).Status.State === "assigned" && errorOf(onB!) !== undefined, "both decisions");
  expect(get(onA!.ID).Status.Message).toBe(PREASSIGNED_MESSAGE);
  expect(nodeOf(onA!)).toBe("a");
  expect(errorOf(onB!)).toBe("1 node not available for new tasks");
  expect(nodeOf(onB!)).toBe("b");
  await changeNode("b", (node) => ({ ...node, Spec: { ...node.Spec, Availability: "active" } }));
  await until(allAssigned([onB!]), "the task on b once b is active");
});

test("a refused write is rolled back and tried again after a pause", async () => {
  let refuse = 1;
  setup({ propose: async (data) => (refuse-- > 0 && isAssignment() ? Promise.reject(new ShoalError("unavailable", "not the raft leader")) : store.apply({ index: store.index + 1, term: 1, kind: "normal", data })) });
  let scheduling = false;
  const isAssignment = () => scheduling;
  await addNode("a");
  const web = await addService("web");
  const tasks = await addTasks(web, 3);
  refuse = 1;
  scheduling = true;
  scheduler!.start();
  clock.advance(TICK);
  await flush();
  expect(tasks.every((task) => get(task.ID).Status.State === "pending")).toBe(true);
  clock.advance(WRITE_RETRY_MS / 2);
  await flush();
  expect(tasks.every((task) => get(task.ID).Status.State === "pending")).toBe(true);
  await until(allAssigned(tasks), "the retried write");
});

test("a placement that lost a race with another write is not forced; the room it held is given back", async () => {
  // Raft on a follower: the scheduler's proposal is held while another manager's write commits first.
  let hold: PromiseWithResolvers<void> | null = null;
  setup({
    propose: async (data) => {
      if (hold) await hold.promise;
      return store.apply({ index: store.index + 1, term: 1, kind: "normal", data });
    },
  });
  await addNode("a", (node) => ({ ...node, Description: { ...node.Description!, Resources: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 } } }));
  const web = await addService("web");
  const [first] = await addTasks(web, 1, { spec: reserving(1) });
  hold = Promise.withResolvers<void>();
  scheduler!.start();
  clock.advance(TICK);
  await flush();
  // The scheduler decided `first` → a and waits for raft. Meanwhile the orchestrator scales down.
  const other = new ClusterStore({ clock, propose: async (data) => store.apply({ index: store.index + 1, term: 1, kind: "normal", data }) });
  other.restore(store.snapshot());
  await other.update((tx) => tx.update("tasks", { ...tx.get("tasks", first!.ID)!, DesiredState: "shutdown" }));
  const [second] = await other.update((tx) => [tx.create("tasks", { ...fixtures.task(web.ID, 2, { state: "pending" }), Spec: { ContainerSpec: { Image: "busybox" }, ForceUpdate: 0, ...reserving(1) } })]);
  hold.resolve();
  hold = null;
  await until(allAssigned([second!]), "the second task to take the room the first one held");
  expect(nodeOf(second!)).toBe("a");
  expect(get(first!.ID).Status.State).toBe("pending");
  expect(nodeOf(first!)).toBeUndefined();
});

test("a scheduler that fell behind the store reads it again and places everything", async () => {
  setup({ watchQueueLimit: 3 });
  for (const name of ["a", "b"]) await addNode(name);
  const web = await addService("web");
  scheduler!.start();
  await flush();
  const tasks = await addTasks(web, 20);
  await until(allAssigned(tasks), "every task after reading the store again");
  expect(tasks.filter((task) => nodeOf(task) === "a").length).toBe(10);
});

test("stop ends the loop: nothing is written afterwards, the watch is closed", async () => {
  setup();
  await addNode("a");
  const web = await addService("web");
  const watchers = store.watchers;
  scheduler!.start();
  await flush();
  expect(store.watchers).toBe(watchers + 1);
  await scheduler!.stop();
  await scheduler!.stop();
  expect(store.watchers).toBe(watchers);
  const [task] = await addTasks(web, 1);
  clock.advance(10 * TICK);
  await flush();
  expect(get(task!.ID).Status.State).toBe("pending");
  scheduler!.start();
  await until(allAssigned([task!]), "the task after a restart");
});

test("a node that leaves takes its room with it; tasks on no node say so", async () => {
  setup();
  await addNode("a");
  const web = await addService("web");
  scheduler!.start();
  await flush();
  await store.update((tx) => tx.delete("nodes", "a"));
  const [task] = await addTasks(web, 1);
  await until(() => errorOf(task!) !== undefined, "the task's error");
  expect(errorOf(task!)).toBe("no suitable node");
  await addNode("b");
  await until(allAssigned([task!]), "the task on the new node");
  expect(nodeOf(task!)).toBe("b");
});

test("a pass that fails unexpectedly starts over from a fresh read of the store", async () => {
  setup();
  await addNode("a");
  const web = await addService("web");
  const tasks = await addTasks(web, 3);
  const decide = SchedulerState.prototype.decide;
  let failures = 1;
  SchedulerState.prototype.decide = function (this: SchedulerState) {
    if (failures-- > 0) {
      decide.call(this);
      throw new Error("a bug");
    }
    return decide.call(this);
  };
  try {
    scheduler!.start();
    await until(allAssigned(tasks), "the tasks after the failed pass");
  } finally {
    SchedulerState.prototype.decide = decide;
  }
});
