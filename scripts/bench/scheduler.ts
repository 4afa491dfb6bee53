/**
 * Scheduler figures: 100,000 pending tasks (10 services: plain, with reservations, a constraint,
 * a spread preference) placed on 1,000 ready nodes by the scheduler against a cluster store without
 * raft, from start until every task is assigned in the store; and the placement core alone on the
 * same input. Goal: ≥ 20,000 placements/s committed (Nomad's C1M: 3,750/s with 5 servers).
 * Usage: bun scripts/bench/scheduler.ts [--tasks N] [--nodes N] [--no-core]
 */
import { createLogger, silentLogger, systemClock } from "../../src/lib/index.ts";
import { Scheduler, planPlacements } from "../../src/manager/scheduler/index.ts";
import { ClusterStore } from "../../src/store/index.ts";
import * as fixtures from "../../src/store/store-fixtures.ts";
import type { Node, Service, Task, TaskSpec } from "../../src/types/index.ts";
import { report } from "./stats.ts";

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const TASKS = argument("--tasks", 100_000);
const NODES = argument("--nodes", 1_000);
const SERVICES = 10;
const CHUNK = 2_000;

/** The task template of service `index`: every fourth reserves resources, one has a constraint, one spreads over zones. */
function template(index: number): TaskSpec {
  const spec: TaskSpec = { ContainerSpec: { Image: "busybox:latest" }, ForceUpdate: 0 };
  if (index % 4 === 1) spec.Resources = { Reservations: { NanoCPUs: 1e7, MemoryBytes: 4 * 2 ** 20 } };
  if (index === 2) spec.Placement = { Constraints: ["node.labels.tier!=edge", "node.platform.os==linux"] };
  if (index === 3) spec.Placement = { Preferences: [{ Spread: { SpreadDescriptor: "node.labels.zone" } }] };
  return spec;
}

const store = new ClusterStore({ clock: systemClock });
let started = performance.now();
await store.update((tx) => {
  for (let index = 0; index < NODES; index++) {
    const node = fixtures.node(`node-${index}`);
    tx.create("nodes", { ...node, Spec: { ...node.Spec, Labels: { zone: `zone-${index % 3}`, tier: index % 10 === 0 ? "edge" : "core" } } });
  }
});
const services: Service[] = [];
await store.update((tx) => {
  for (let index = 0; index < SERVICES; index++) {
    const service = fixtures.service(`svc-${index}`, { replicas: TASKS / SERVICES });
    services.push(tx.create("services", { ...service, Spec: { ...service.Spec, TaskTemplate: template(index) } }));
  }
});
for (let start = 0; start < TASKS; start += CHUNK) {
  await store.update((tx) => {
    for (let index = start; index < Math.min(TASKS, start + CHUNK); index++) {
      const service = services[index % SERVICES]!;
      const task = fixtures.task(service.ID, Math.floor(index / SERVICES) + 1, { state: "pending" });
      tx.create("tasks", { ...task, Spec: service.Spec.TaskTemplate, ServiceVersion: { Index: service.Version.Index } });
    }
  });
}
console.log(`# scheduler (${TASKS} pending tasks, ${NODES} nodes, ${SERVICES} services; store without raft)`);
report("setup: tasks created", `${((performance.now() - started) / 1000).toFixed(1)} s`);

// The placement core alone, on the same objects.
if (!process.argv.includes("--no-core")) {
  const { nodes, tasks } = store.view((tx) => ({ nodes: tx.find("nodes") as Node[], tasks: tx.find("tasks") as Task[] }));
  started = performance.now();
  const decisions = planPlacements({ nodes, placed: [], tasks, services });
  const coreMs = performance.now() - started;
  const unplaced = decisions.filter((decision) => decision.kind !== "assigned").length;
  report("placement core (no store)", `${Math.round(TASKS / (coreMs / 1000))}/s`, `${coreMs.toFixed(0)} ms${unplaced ? `, ${unplaced} unplaceable` : ""}`);
}

// The scheduler: start → every task assigned in the store.
let assigned = 0;
const everyTaskAssigned = Promise.withResolvers<void>();
const watch = store.watch({ table: "tasks", kinds: ["update"], queueLimit: 10 * TASKS });
void (async () => {
  for await (const event of watch) {
    if (event.kind === "update" && event.object.Status.State === "assigned" && event.oldObject.Status.State === "pending" && ++assigned === TASKS) {
      everyTaskAssigned.resolve();
    }
  }
})();
const rssBefore = process.memoryUsage().rss;
const cpuBefore = process.cpuUsage();
started = performance.now();
const scheduler = new Scheduler({ store, clock: systemClock, logger: process.env.BENCH_LOG ? createLogger({ level: "debug" }) : silentLogger });
scheduler.start();
await everyTaskAssigned.promise;
const elapsed = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await scheduler.stop();
watch.close();
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
report("placements committed (start → all assigned)", `${Math.round(TASKS / (elapsed / 1000))}/s`, `goal ≥ 20,000/s; ${(elapsed / 1000).toFixed(2)} s; Nomad C1M 3,750/s`);
report("placements per CPU-second", `${Math.round(TASKS / cpuSeconds)}`, `${cpuSeconds.toFixed(2)} CPU-s (steadier than wall time on a busy machine)`);
report("RSS growth while scheduling", `${((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(0)} MiB`);

// The store's write path alone, for comparison: the same number of task updates in transactions of the scheduler's size.
const ids = store.view((tx) => tx.find("tasks").map((task) => task.ID));
const storeCpuBefore = process.cpuUsage();
started = performance.now();
for (let start = 0; start < ids.length; start += CHUNK) {
  await store.update((tx) => {
    for (const id of ids.slice(start, start + CHUNK)) {
      const task = tx.get("tasks", id)!;
      tx.update("tasks", { ...task, Status: { ...task.Status, State: "accepted", Message: "accepted" } });
    }
  });
}
const storeElapsed = performance.now() - started;
const storeCpu = process.cpuUsage(storeCpuBefore);
report("store alone: task updates committed", `${Math.round(TASKS / (storeElapsed / 1000))}/s`, `${((storeCpu.user + storeCpu.system) / 1e6).toFixed(2)} CPU-s: the bound the scheduler's writes meet`);
const perNode = store.view((tx) => tx.find("tasks").reduce((counts, task) => counts.set(task.NodeID!, (counts.get(task.NodeID!) ?? 0) + 1), new Map<string, number>()));
const counts = [...perNode.values()];
report("tasks per node (min / max)", `${Math.min(...counts)} / ${Math.max(...counts)}`);
