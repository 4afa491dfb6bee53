import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import type { ServiceSpec } from "../../types/index.ts";
import type { Orchestration } from "./orchestration.ts";
import { SimulatedCluster, settle } from "./orchestrator-fixtures.ts";
import { OLD_TASK_STOP_TIMEOUT_MS } from "./restart-supervisor.ts";

const running: Orchestration[] = [];
afterEach(async () => {
  for (const orchestration of running.splice(0)) await orchestration.stop();
});

async function cluster() {
  const clock = new FakeClock();
  const sim = new SimulatedCluster(clock);
  await sim.init();
  const a = await sim.addNode("node-a");
  const b = await sim.addNode("node-b");
  const start = () => {
    const started = sim.orchestrate();
    running.push(started.orchestration);
    return started;
  };
  return { clock, sim, a, b, start };
}

const delayed = (spec: ServiceSpec): ServiceSpec => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, RestartPolicy: { Delay: 5e9 } } });

test("a replacement that fails while it waits is restarted only once its own delay is over", async () => {
  const { sim, clock, start } = await cluster();
  const web = await sim.createService("web", delayed, 1);
  start();
  await sim.converge();
  await sim.stopTask(sim.running(web)[0]!.ID, "failed");
  await sim.converge();
  const waiting = sim.runnable(web)[0]!;
  await sim.stopTask(waiting.ID, "rejected");
  await sim.converge();
  expect(sim.tasks(web)).toHaveLength(2);
  expect(sim.task(waiting.ID).DesiredState).toBe("ready");

  clock.advance(5000);
  await sim.converge();
  expect(sim.task(waiting.ID).DesiredState).toBe("shutdown");
  const next = sim.runnable(web);
  expect(next).toHaveLength(1);
  expect(next[0]).toMatchObject({ Slot: 1, DesiredState: "ready" });
  clock.advance(5000);
  await sim.converge();
  expect(sim.running(web).map((task) => task.ID)).toEqual([next[0]!.ID]);
});

test("on a drained node the replacement starts when the old task stopped, or after a minute at most", async () => {
  const { sim, clock, b, start } = await cluster();
  const web = await sim.createService("web", undefined, 2);
  start();
  await sim.converge();
  const onB = sim.running(web).find((task) => task.NodeID === b)!;
  await sim.setAvailability(b, "drain");
  await settle(sim.store);
  await sim.schedule();
  await settle(sim.store);
  const replacement = sim.runnable(web).find((task) => task.Slot === onB.Slot)!;
  // node-b's agent does not answer: the old task stays running.
  clock.advance(OLD_TASK_STOP_TIMEOUT_MS - 1);
  await settle(sim.store);
  expect(sim.task(replacement.ID).DesiredState).toBe("ready");
  clock.advance(1);
  await settle(sim.store);
  expect(sim.task(replacement.ID).DesiredState).toBe("running");
  expect(sim.task(onB.ID).Status.State).toBe("running");
});

test("after stop, waiting replacements are left for the next leader", async () => {
  const { sim, clock, start } = await cluster();
  const web = await sim.createService("web", delayed, 1);
  const { orchestration } = start();
  await sim.converge();
  await sim.stopTask(sim.running(web)[0]!.ID, "failed");
  await sim.converge();
  const waiting = sim.runnable(web)[0]!;
  await orchestration.stop();
  clock.advance(10_000);
  await settle(sim.store);
  expect(sim.task(waiting.ID).DesiredState).toBe("ready");

  start();
  await sim.converge();
  expect(sim.task(waiting.ID)).toMatchObject({ DesiredState: "running", Status: { State: "running" } });
});
