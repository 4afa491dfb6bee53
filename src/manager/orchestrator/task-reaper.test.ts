import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import * as fixtures from "../../store/store-fixtures.ts";
import type { ServiceSpec } from "../../types/index.ts";
import type { Orchestration } from "./orchestration.ts";
import { SimulatedCluster, settle } from "./orchestrator-fixtures.ts";

const running: Orchestration[] = [];
afterEach(async () => {
  for (const orchestration of running.splice(0)) await orchestration.stop();
});

async function cluster(historyLimit = 5) {
  const clock = new FakeClock();
  const sim = new SimulatedCluster(clock);
  await sim.init(historyLimit);
  await sim.addNode("node-a");
  const start = () => {
    const started = sim.orchestrate();
    running.push(started.orchestration);
    return started;
  };
  return { clock, sim, start };
}

function restartPolicy(policy: NonNullable<ServiceSpec["TaskTemplate"]["RestartPolicy"]>) {
  return (spec: ServiceSpec): ServiceSpec => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, RestartPolicy: policy } });
}

/** Fails the running task of the service `times` times, a second apart. */
async function failRepeatedly(sim: SimulatedCluster, clock: FakeClock, serviceId: string, times: number): Promise<void> {
  for (let attempt = 0; attempt < times; attempt++) {
    clock.advance(1000);
    await sim.stopTask(sim.running(serviceId)[0]!.ID, "failed");
    await sim.converge();
  }
}

test("each slot keeps at most the cluster's history limit, the oldest stopped tasks deleted first", async () => {
  const { sim, clock, start } = await cluster(3);
  const web = await sim.createService("web", restartPolicy({ Delay: 0 }), 1);
  start();
  await sim.converge();
  const first = sim.tasks(web)[0]!;
  await failRepeatedly(sim, clock, web, 4);
  const tasks = sim.tasks(web);
  expect(tasks).toHaveLength(3);
  expect(tasks.map((task) => task.ID)).not.toContain(first.ID);
  expect(tasks.filter((task) => task.Status.State === "failed")).toHaveLength(2);
  expect(sim.running(web)).toHaveLength(1);
});

test("a lower limit set on the cluster applies to the next cleanup", async () => {
  const { sim, clock, start } = await cluster(5);
  const web = await sim.createService("web", restartPolicy({ Delay: 0 }), 1);
  start();
  await sim.converge();
  await failRepeatedly(sim, clock, web, 4);
  expect(sim.tasks(web)).toHaveLength(5);
  await sim.store.update((tx) => {
    const swarm = tx.get("cluster", sim.clusterId)!;
    tx.update("cluster", { ...swarm, Spec: { ...swarm.Spec, Orchestration: { TaskHistoryRetentionLimit: 2 } } });
  });
  await failRepeatedly(sim, clock, web, 1);
  expect(sim.tasks(web)).toHaveLength(2);
});

test("a negative limit keeps every task", async () => {
  const { sim, clock, start } = await cluster(-1);
  const web = await sim.createService("web", restartPolicy({ Delay: 0 }), 1);
  start();
  await sim.converge();
  await failRepeatedly(sim, clock, web, 6);
  expect(sim.tasks(web)).toHaveLength(7);
});

test("with max attempts, a slot keeps one task more than that many, above the cluster's limit", async () => {
  const { sim, clock, start } = await cluster(2);
  const web = await sim.createService("web", restartPolicy({ Delay: 0, MaxAttempts: 3 }), 1);
  start();
  await sim.converge();
  await failRepeatedly(sim, clock, web, 4);
  expect(sim.tasks(web)).toHaveLength(4);
  expect(sim.runnable(web)).toHaveLength(0);
});

test("tasks sent to remove are deleted once stopped, or at once when they never reached a node", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", undefined, 2);
  start();
  await sim.converge();
  const pending = await sim.store.update((tx) => tx.create("tasks", { ...fixtures.task(web, 9), DesiredState: "remove" }));
  await settle(sim.store);
  expect(sim.tasks(web).map((task) => task.ID)).not.toContain(pending.ID);

  await sim.removeService(web);
  await settle(sim.store);
  expect(sim.tasks(web)).toHaveLength(2);
  await sim.converge();
  expect(sim.tasks(web)).toHaveLength(0);
});

test("tasks of a service that no longer exists are stopped, then deleted", async () => {
  const { sim, start } = await cluster();
  const nodeId = sim.store.view((tx) => tx.find("nodes")[0]!.ID);
  const orphan = await sim.store.update((tx) => tx.create("tasks", fixtures.task("gone-service-id-0123456789", 1, { nodeId, state: "running" })));
  const done = await sim.store.update((tx) => tx.create("tasks", fixtures.task("gone-service-id-0123456789", 2, { nodeId, state: "failed" })));
  start();
  await settle(sim.store);
  expect(sim.store.view((tx) => tx.get("tasks", done.ID))).toBeUndefined();
  expect(sim.task(orphan.ID).DesiredState).toBe("remove");
  await sim.converge();
  expect(sim.store.view((tx) => tx.get("tasks", orphan.ID))).toBeUndefined();
});

test("the newest task of a slot always stays, even with a limit of 0", async () => {
  const { sim, clock, start } = await cluster(0);
  const web = await sim.createService("web", restartPolicy({ Condition: "none" }), 1);
  start();
  await sim.converge();
  await failRepeatedly(sim, clock, web, 1);
  const tasks = sim.tasks(web);
  expect(tasks).toHaveLength(1);
  expect(tasks[0]!.Status.State).toBe("failed");
  expect(sim.runnable(web)).toHaveLength(0);
});
