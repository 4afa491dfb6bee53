import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import type { Task } from "../../types/index.ts";
import type { Orchestration } from "./orchestration.ts";
import { SimulatedCluster, settle } from "./orchestrator-fixtures.ts";

const running: Orchestration[] = [];
afterEach(async () => {
  for (const orchestration of running.splice(0)) await orchestration.stop();
});

async function cluster(nodes: string[] = ["node-a", "node-b"]) {
  const clock = new FakeClock();
  const sim = new SimulatedCluster(clock);
  await sim.init();
  const nodeIds = [];
  for (const hostname of nodes) nodeIds.push(await sim.addNode(hostname));
  const start = () => {
    const started = sim.orchestrate();
    running.push(started.orchestration);
    return started;
  };
  return { clock, sim, nodeIds, start };
}

function slots(tasks: readonly Task[]): number[] {
  return tasks.map((task) => task.Slot!).sort((a, b) => a - b);
}

function withRestart(policy: NonNullable<Task["Spec"]["RestartPolicy"]>) {
  return (spec: Parameters<Parameters<SimulatedCluster["createService"]>[1] & {}>[0]) => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, RestartPolicy: policy } });
}

test("creates a task for every slot and the service converges to running", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", undefined, 3);
  start();
  await sim.converge();
  const tasks = sim.tasks(web);
  expect(slots(tasks)).toEqual([1, 2, 3]);
  expect(tasks.every((task) => task.DesiredState === "running" && task.Status.State === "running")).toBe(true);
  expect(tasks.every((task) => task.ServiceVersion?.Index === sim.service(web).Version.Index)).toBe(true);
});

test("scaling up fills the next slots; scaling down removes whole slots and the reaper deletes them once stopped", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", undefined, 2);
  start();
  await sim.converge();
  await sim.scale(web, 5);
  await sim.converge();
  expect(slots(sim.running(web))).toEqual([1, 2, 3, 4, 5]);

  await sim.scale(web, 2);
  await settle(sim.store);
  const removed = sim.tasks(web).filter((task) => task.DesiredState === "remove");
  expect(removed).toHaveLength(3);
  expect(removed.every((task) => task.Status.State === "running")).toBe(true);
  await sim.converge();
  expect(sim.tasks(web)).toHaveLength(2);
  expect(sim.running(web)).toHaveLength(2);
});

test("scaling down keeps the service spread over the nodes", async () => {
  const { sim, start, nodeIds } = await cluster(["node-a", "node-b", "node-c"]);
  const web = await sim.createService("web", undefined, 6);
  start();
  await sim.converge();
  await sim.scale(web, 3);
  await sim.converge();
  const nodes = sim.running(web).map((task) => task.NodeID);
  expect(new Set(nodes)).toEqual(new Set(nodeIds));
});

test("a failed task is shut down and replaced in its slot after the restart delay; the failed one stays as history", async () => {
  const { sim, clock, start } = await cluster();
  const web = await sim.createService("web", undefined, 1);
  start();
  await sim.converge();
  const [first] = sim.tasks(web);
  await sim.stopTask(first!.ID, "failed");
  await sim.converge();

  const old = sim.task(first!.ID);
  const replacement = sim.tasks(web).find((task) => task.ID !== first!.ID);
  expect(old.DesiredState).toBe("shutdown");
  expect(replacement!.Slot).toBe(1);
  expect(replacement!.DesiredState).toBe("ready");
  expect(replacement!.Status.State).toBe("ready");

  clock.advance(4999);
  await sim.converge();
  expect(sim.task(replacement!.ID).Status.State).toBe("ready");
  clock.advance(1);
  await sim.converge();
  expect(sim.task(replacement!.ID)).toMatchObject({ DesiredState: "running", Status: { State: "running" } });
  expect(sim.tasks(web)).toHaveLength(2);
});

test("a task stopped with no delay configured is replaced running at once", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", withRestart({ Delay: 0 }), 1);
  start();
  await sim.converge();
  const first = sim.tasks(web)[0]!;
  await sim.stopTask(first.ID, "shutdown");
  await sim.converge();
  const old = sim.task(first.ID);
  const replacement = sim.tasks(web).find((task) => task.ID !== first.ID);
  expect(old.DesiredState).toBe("shutdown");
  expect(replacement).toMatchObject({ Slot: 1, DesiredState: "running", Status: { State: "running" } });
});

test("restart condition on-failure replaces a failed task but not one that completed", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", withRestart({ Condition: "on-failure", Delay: 0 }), 2);
  start();
  await sim.converge();
  const [one, two] = sim.tasks(web);
  await sim.stopTask(one!.ID, "complete");
  await sim.stopTask(two!.ID, "failed");
  await sim.converge();
  expect(sim.task(one!.ID).DesiredState).toBe("shutdown");
  expect(sim.task(two!.ID).DesiredState).toBe("shutdown");
  const replacements = sim.runnable(web);
  expect(replacements).toHaveLength(1);
  expect(replacements[0]!.Slot).toBe(two!.Slot);
  // The completed slot still counts: no new task is made for it.
  expect(sim.tasks(web)).toHaveLength(3);
});

test("restart condition none never replaces; any replaces even a task that completed", async () => {
  const { sim, start } = await cluster();
  const none = await sim.createService("none", withRestart({ Condition: "none", Delay: 0 }), 1);
  const any = await sim.createService("any", withRestart({ Condition: "any", Delay: 0 }), 1);
  start();
  await sim.converge();
  await sim.stopTask(sim.tasks(none)[0]!.ID, "failed");
  await sim.stopTask(sim.tasks(any)[0]!.ID, "complete");
  await sim.converge();
  expect(sim.tasks(none)).toHaveLength(1);
  expect(sim.runnable(none)).toHaveLength(0);
  expect(sim.tasks(any)).toHaveLength(2);
  expect(sim.running(any)).toHaveLength(1);
});

test("max attempts: a slot is restarted that many times, then left stopped", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", withRestart({ Delay: 0, MaxAttempts: 2 }), 1);
  start();
  await sim.converge();
  for (let attempt = 0; attempt < 3; attempt++) {
    const [current] = sim.running(web);
    await sim.stopTask(current!.ID, "failed");
    await sim.converge();
  }
  expect(sim.tasks(web)).toHaveLength(3);
  expect(sim.runnable(web)).toHaveLength(0);
  expect(sim.tasks(web).every((task) => task.Status.State === "failed")).toBe(true);
});

test("max attempts within a window: attempts older than the window no longer count", async () => {
  const { sim, clock, start } = await cluster();
  const web = await sim.createService("web", withRestart({ Delay: 0, MaxAttempts: 1, Window: 10e9 }), 1);
  start();
  await sim.converge();
  await sim.stopTask(sim.running(web)[0]!.ID, "failed");
  await sim.converge();
  expect(sim.running(web)).toHaveLength(1);

  // Failing again within the window: the one attempt is used up.
  clock.advance(5000);
  await sim.stopTask(sim.running(web)[0]!.ID, "failed");
  await sim.converge();
  expect(sim.runnable(web)).toHaveLength(0);

  const other = await sim.createService("other", withRestart({ Delay: 0, MaxAttempts: 1, Window: 10e9 }), 1);
  await sim.converge();
  await sim.stopTask(sim.running(other)[0]!.ID, "failed");
  await sim.converge();
  clock.advance(11_000);
  await sim.stopTask(sim.running(other)[0]!.ID, "failed");
  await sim.converge();
  expect(sim.running(other)).toHaveLength(1);
  expect(sim.tasks(other)).toHaveLength(3);
});

test("tasks on a node that goes down are replaced on another node at once: the restart delay is for crash loops", async () => {
  const { sim, start, nodeIds } = await cluster();
  const web = await sim.createService("web", undefined, 2);
  start();
  await sim.converge();
  const [a, b] = nodeIds as [string, string];
  const onB = sim.running(web).find((task) => task.NodeID === b)!;
  await sim.setNodeState(b, "down");
  await settle(sim.store);
  expect(sim.task(onB.ID).DesiredState).toBe("shutdown");
  const replacement = sim.runnable(web).find((task) => task.Slot === onB.Slot)!;
  expect(replacement.DesiredState).toBe("running");
  await sim.converge();
  expect(sim.running(web).map((task) => task.NodeID)).toEqual([a, a]);
});

test("tasks on a drained node are replaced elsewhere without delay, starting once the old task stopped", async () => {
  const { sim, start, nodeIds } = await cluster();
  const web = await sim.createService("web", undefined, 2);
  start();
  await sim.converge();
  const [a, b] = nodeIds as [string, string];
  const onB = sim.running(web).find((task) => task.NodeID === b)!;
  await sim.setAvailability(b, "drain");
  await settle(sim.store);
  const replacement = sim.runnable(web).find((task) => task.Slot === onB.Slot)!;
  expect(replacement.DesiredState).toBe("ready");
  expect(sim.task(onB.ID)).toMatchObject({ DesiredState: "shutdown", Status: { State: "running" } });

  await sim.converge();
  expect(sim.task(onB.ID).Status.State).toBe("shutdown");
  expect(sim.task(replacement.ID)).toMatchObject({ NodeID: a, DesiredState: "running", Status: { State: "running" } });
});

test("a deleted task's slot is filled again", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", undefined, 2);
  start();
  await sim.converge();
  const victim = sim.running(web)[0]!;
  await sim.store.update((tx) => tx.delete("tasks", victim.ID));
  await sim.converge();
  expect(slots(sim.running(web))).toEqual([1, 2]);
});

test("slots running an outdated template go to the updater, clean ones do not", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", undefined, 2);
  const { updater } = start();
  await sim.converge();
  expect(updater.updates).toEqual([]);
  await sim.updateService(web, (spec) => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: 1 }, Mode: { Replicated: { Replicas: 3 } } }));
  await sim.converge();
  const version = sim.service(web).Version.Index;
  const old = sim.tasks(web).filter((task) => task.Spec.ForceUpdate === 0);
  expect(old).toHaveLength(2);
  expect(updater.updates.at(-1)).toEqual({ serviceId: web, version, slots: old.map((task) => [task.ID]) });
  expect(sim.running(web)).toHaveLength(3);
});

test("removing the service cancels its update and its tasks are deleted once stopped", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", undefined, 2);
  const { updater } = start();
  await sim.converge();
  await sim.removeService(web);
  await sim.converge();
  expect(updater.cancelled).toEqual([web]);
  expect(sim.tasks(web)).toEqual([]);
});

test("a new leader's orchestration (or a second start) creates no duplicate tasks", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", undefined, 3);
  const first = start();
  first.orchestration.start();
  await sim.converge();
  const before = sim.tasks(web).map((task) => task.ID);
  await first.orchestration.stop();
  expect(first.updater.stopped).toBe(true);

  start();
  start();
  await sim.converge();
  expect(sim.tasks(web).map((task) => task.ID)).toEqual(before);
});

test("a new leader resumes a delayed restart and keeps counting attempts", async () => {
  const { sim, clock, start } = await cluster();
  const web = await sim.createService("web", withRestart({ Delay: 5e9, MaxAttempts: 1 }), 1);
  const first = start();
  await sim.converge();
  await sim.stopTask(sim.running(web)[0]!.ID, "failed");
  await sim.converge();
  const replacement = sim.runnable(web)[0]!;
  expect(replacement.DesiredState).toBe("ready");
  clock.advance(2000);
  await first.orchestration.stop();

  start();
  await sim.converge();
  expect(sim.task(replacement.ID).DesiredState).toBe("ready");
  clock.advance(3000);
  await sim.converge();
  expect(sim.task(replacement.ID)).toMatchObject({ DesiredState: "running", Status: { State: "running" } });

  await sim.stopTask(replacement.ID, "failed");
  await sim.converge();
  expect(sim.runnable(web)).toHaveLength(0);
  expect(sim.tasks(web)).toHaveLength(2);
});

test("two orchestrations reacting to the same events create no duplicate tasks", async () => {
  const { sim, start } = await cluster();
  start();
  start();
  const web = await sim.createService("web", withRestart({ Delay: 0 }), 3);
  await sim.converge();
  expect(slots(sim.runnable(web))).toEqual([1, 2, 3]);
  await sim.stopTask(sim.running(web)[0]!.ID, "failed");
  await sim.scale(web, 5);
  await sim.converge();
  expect(slots(sim.runnable(web))).toEqual([1, 2, 3, 4, 5]);
  expect(sim.tasks(web)).toHaveLength(6);
});

test("slots being removed are not counted again before they are gone, even when never restarted", async () => {
  const { sim, start } = await cluster();
  const web = await sim.createService("web", withRestart({ Condition: "none" }), 3);
  start();
  await sim.converge();
  await sim.scale(web, 2);
  await settle(sim.store);
  const leaving = sim.tasks(web).filter((task) => task.DesiredState === "remove");
  expect(leaving.map((task) => task.Slot)).toEqual([3]);
  // Slot 1 stops for good (restart condition none) while slot 3 is still shutting down.
  const slotOne = sim.running(web).find((task) => task.Slot === 1)!;
  await sim.stopTask(slotOne.ID, "failed");
  await sim.updateService(web, (spec) => ({ ...spec, Labels: { touched: "yes" } }));
  await settle(sim.store);
  expect(sim.tasks(web).filter((task) => task.DesiredState === "remove").map((task) => task.ID)).toEqual(leaving.map((task) => task.ID));
  expect(sim.task(slotOne.ID).DesiredState).toBe("shutdown");
});
