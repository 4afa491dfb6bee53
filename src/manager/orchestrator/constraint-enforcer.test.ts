import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import type { ServiceSpec } from "../../types/index.ts";
import { CONSTRAINT_REJECTION } from "./constraint-enforcer.ts";
import type { Orchestration } from "./orchestration.ts";
import { SimulatedCluster } from "./orchestrator-fixtures.ts";

const running: Orchestration[] = [];
afterEach(async () => {
  for (const orchestration of running.splice(0)) await orchestration.stop();
});

async function cluster() {
  const clock = new FakeClock();
  const sim = new SimulatedCluster(clock);
  await sim.init();
  const east1 = await sim.addNode("east-1", { labels: { zone: "east" }, resources: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 } });
  const east2 = await sim.addNode("east-2", { labels: { zone: "east" }, resources: { NanoCPUs: 1e9, MemoryBytes: 2 ** 30 } });
  await sim.addNode("west", { labels: { zone: "west" } });
  running.push(sim.orchestrate().orchestration);
  return { sim, east1, east2 };
}

function inEast(spec: ServiceSpec): ServiceSpec {
  return { ...spec, TaskTemplate: { ...spec.TaskTemplate, Placement: { Constraints: ["node.labels.zone == east"] }, RestartPolicy: { Delay: 0 } } };
}

test("a task whose node no longer meets its constraints is rejected and replaced on a node that does", async () => {
  const { sim, east1, east2 } = await cluster();
  const web = await sim.createService("web", inEast, 1);
  await sim.converge();
  const first = sim.running(web)[0]!;
  expect(first.NodeID).toBe(east1);
  await sim.setNodeLabels(east1, { zone: "west" });
  await sim.converge();
  expect(sim.task(first.ID)).toMatchObject({ DesiredState: "shutdown", Status: { State: "rejected", ...CONSTRAINT_REJECTION } });
  expect(sim.running(web).map((task) => task.NodeID)).toEqual([east2]);
});

test("a task whose reservation no longer fits its node's resources is rejected", async () => {
  const { sim, east1 } = await cluster();
  const web = await sim.createService(
    "web",
    (spec) => ({ ...inEast(spec), TaskTemplate: { ...inEast(spec).TaskTemplate, Resources: { Reservations: { NanoCPUs: 6e8 } } } }),
    1,
  );
  await sim.converge();
  const first = sim.running(web)[0]!;
  expect(first.NodeID).toBe(east1);
  await sim.updateNode(east1, (node) => ({ ...node, Description: { ...node.Description!, Resources: { NanoCPUs: 5e8, MemoryBytes: 2 ** 30 } } }));
  await sim.converge();
  expect(sim.task(first.ID).Status.State).toBe("rejected");
  expect(sim.running(web).map((task) => task.NodeID)).not.toContain(east1);
});

test("paused nodes are left alone", async () => {
  const { sim, east1 } = await cluster();
  const web = await sim.createService("web", inEast, 1);
  await sim.converge();
  await sim.updateNode(east1, (node) => ({ ...node, Spec: { ...node.Spec, Availability: "pause", Labels: { zone: "west" } } }));
  await sim.converge();
  expect(sim.running(web).map((task) => task.NodeID)).toEqual([east1]);
});
