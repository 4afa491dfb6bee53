import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import type { ServiceSpec, Task } from "../../types/index.ts";
import type { Orchestration } from "./orchestration.ts";
import { SimulatedCluster, settle } from "./orchestrator-fixtures.ts";

const running: Orchestration[] = [];
afterEach(async () => {
  for (const orchestration of running.splice(0)) await orchestration.stop();
});

async function cluster(nodes = ["node-a", "node-b"]) {
  const clock = new FakeClock();
  const sim = new SimulatedCluster(clock);
  await sim.init();
  const ids: string[] = [];
  for (const hostname of nodes) ids.push(await sim.addNode(hostname));
  const start = () => {
    const started = sim.orchestrate();
    running.push(started.orchestration);
    return started;
  };
  return { clock, sim, ids, start };
}

function replicatedJob(mode: { MaxConcurrent?: number; TotalCompletions?: number }, restart: ServiceSpec["TaskTemplate"]["RestartPolicy"] = { Delay: 0 }) {
  return (spec: ServiceSpec): ServiceSpec => ({ ...spec, Mode: { ReplicatedJob: mode }, TaskTemplate: { ...spec.TaskTemplate, RestartPolicy: restart } });
}

function globalJob(spec: ServiceSpec): ServiceSpec {
  return { ...spec, Mode: { GlobalJob: {} }, TaskTemplate: { ...spec.TaskTemplate, RestartPolicy: { Delay: 0 } } };
}

function completed(tasks: readonly Task[]): Task[] {
  return tasks.filter((task) => task.Status.State === "complete");
}

/** Completes every running task of the service, then lets the cluster react. */
async function completeRunning(sim: SimulatedCluster, serviceId: string): Promise<void> {
  for (const task of sim.running(serviceId)) await sim.stopTask(task.ID, "complete");
  await sim.converge();
}

test("a replicated job runs TotalCompletions tasks, at most MaxConcurrent at a time, and stops there", async () => {
  const { sim, start } = await cluster();
  const job = await sim.createService("job", replicatedJob({ MaxConcurrent: 2, TotalCompletions: 5 }));
  start();
  await sim.converge();
  expect(sim.running(job)).toHaveLength(2);
  for (let round = 0; round < 3; round++) {
    expect(sim.running(job).length).toBeLessThanOrEqual(2);
    await completeRunning(sim, job);
  }
  const tasks = sim.tasks(job);
  expect(completed(tasks)).toHaveLength(5);
  expect(tasks).toHaveLength(5);
  expect(tasks.map((task) => task.Slot).sort()).toEqual([1, 2, 3, 4, 5]);
  expect(tasks.every((task) => task.DesiredState === "complete" && task.JobIteration?.Index === 0)).toBe(true);
});

test("a replicated job without counts runs one task once", async () => {
  const { sim, start } = await cluster();
  const job = await sim.createService("job", replicatedJob({}));
  start();
  await sim.converge();
  expect(sim.running(job)).toHaveLength(1);
  await completeRunning(sim, job);
  expect(sim.tasks(job)).toHaveLength(1);
});

test("a failed job task is retried in its slot; a completed one never is (restart condition any)", async () => {
  const { sim, start } = await cluster();
  const job = await sim.createService("job", replicatedJob({ MaxConcurrent: 2, TotalCompletions: 2 }, { Condition: "any", Delay: 0 }));
  start();
  await sim.converge();
  const [one, two] = sim.running(job);
  await sim.stopTask(one!.ID, "failed");
  await sim.stopTask(two!.ID, "complete");
  await sim.converge();
  expect(sim.task(one!.ID).DesiredState).toBe("shutdown");
  const retried = sim.running(job);
  expect(retried).toHaveLength(1);
  expect(retried[0]).toMatchObject({ Slot: one!.Slot, JobIteration: { Index: 0 } });
  await completeRunning(sim, job);
  expect(completed(sim.tasks(job))).toHaveLength(2);
  expect(sim.tasks(job)).toHaveLength(3);
});

test("a job task that fails with restart condition none leaves its slot failed", async () => {
  const { sim, start } = await cluster();
  const job = await sim.createService("job", replicatedJob({ MaxConcurrent: 1, TotalCompletions: 2 }, { Condition: "none" }));
  start();
  await sim.converge();
  await sim.stopTask(sim.running(job)[0]!.ID, "failed");
  await sim.converge();
  await completeRunning(sim, job);
  const tasks = sim.tasks(job);
  expect(tasks.map((task) => task.Status.State).sort()).toEqual(["complete", "failed"]);
  expect(sim.runnable(job)).toHaveLength(0);
});

test("updating a job runs it again; unfinished tasks of the earlier iteration are removed", async () => {
  const { sim, start } = await cluster();
  const job = await sim.createService("job", replicatedJob({ MaxConcurrent: 1, TotalCompletions: 2 }));
  start();
  await sim.converge();
  await completeRunning(sim, job);
  const unfinished = sim.running(job)[0]!;
  await sim.updateService(job, (spec) => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: 1 } }));
  await sim.converge();
  expect(sim.tasks(job).find((task) => task.ID === unfinished.ID)).toBeUndefined();
  const current = sim.runnable(job);
  expect(current).toHaveLength(1);
  expect(current[0]).toMatchObject({ JobIteration: { Index: 1 }, Spec: { ForceUpdate: 1 } });
  await completeRunning(sim, job);
  await completeRunning(sim, job);
  expect(completed(sim.tasks(job)).filter((task) => task.JobIteration?.Index === 1)).toHaveLength(2);
});

test("a job whose service has no JobStatus gets one; a template changed without a new iteration starts one", async () => {
  const { sim, start } = await cluster();
  const job = await sim.createService("job", replicatedJob({}));
  await sim.store.update((tx) => {
    const { JobStatus: _status, ...service } = tx.get("services", job)!;
    tx.update("services", service);
  });
  start();
  await sim.converge();
  expect(sim.service(job).JobStatus?.JobIteration.Index).toBe(0);
  expect(sim.running(job)).toHaveLength(1);

  await sim.store.update((tx) => {
    const service = tx.get("services", job)!;
    tx.update("services", { ...service, Spec: { ...service.Spec, TaskTemplate: { ...service.Spec.TaskTemplate, ForceUpdate: 7 } } });
  });
  await sim.converge();
  expect(sim.service(job).JobStatus?.JobIteration.Index).toBe(1);
  expect(sim.runnable(job).map((task) => [task.JobIteration?.Index, task.Spec.ForceUpdate])).toEqual([[1, 7]]);
});

test("a global job runs once on every ready node, and on nodes that join later", async () => {
  const { sim, ids, start } = await cluster();
  const job = await sim.createService("job", globalJob);
  start();
  await sim.converge();
  expect(sim.running(job).map((task) => task.NodeID).sort()).toEqual([...ids].sort());
  await completeRunning(sim, job);
  expect(completed(sim.tasks(job))).toHaveLength(2);

  const joined = await sim.addNode("node-c");
  await sim.converge();
  expect(sim.running(job).map((task) => task.NodeID)).toEqual([joined]);
  await completeRunning(sim, job);
  expect(sim.tasks(job)).toHaveLength(3);
  expect(sim.runnable(job)).toHaveLength(0);
});

test("a replicated job's task on a node that goes down is run again elsewhere", async () => {
  const { sim, ids, start } = await cluster();
  const job = await sim.createService("job", replicatedJob({ MaxConcurrent: 2, TotalCompletions: 2 }));
  start();
  await sim.converge();
  const [a, b] = ids as [string, string];
  const onB = sim.running(job).find((task) => task.NodeID === b)!;
  await sim.setNodeState(b, "down");
  await sim.converge();
  expect(sim.task(onB.ID).DesiredState).toBe("shutdown");
  expect(sim.running(job).map((task) => task.NodeID)).toEqual([a, a]);
});

test("a new leader's orchestration creates no duplicate job tasks", async () => {
  const { sim, start } = await cluster();
  const job = await sim.createService("job", replicatedJob({ MaxConcurrent: 2, TotalCompletions: 4 }));
  const first = start();
  await sim.converge();
  await completeRunning(sim, job);
  const before = sim.tasks(job).map((task) => task.ID);
  await first.orchestration.stop();
  start();
  start();
  await settle(sim.store);
  await sim.converge();
  expect(sim.tasks(job).map((task) => task.ID)).toEqual(before);
});
