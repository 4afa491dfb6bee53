import { afterEach, expect, test } from "bun:test";
import { FakeClock } from "../../../test/support/fake-clock.ts";
import type { ServiceSpec, Task } from "../../types/index.ts";
import type { Orchestration } from "./orchestration.ts";
import { SimulatedCluster, settle, type SimulatedNodeOptions } from "./orchestrator-fixtures.ts";

const running: Orchestration[] = [];
afterEach(async () => {
  for (const orchestration of running.splice(0)) await orchestration.stop();
});

async function cluster(nodes: Record<string, SimulatedNodeOptions> = { "node-a": {}, "node-b": {} }) {
  const clock = new FakeClock();
  const sim = new SimulatedCluster(clock);
  await sim.init();
  const ids: Record<string, string> = {};
  for (const [hostname, options] of Object.entries(nodes)) ids[hostname] = await sim.addNode(hostname, options);
  const start = () => {
    const started = sim.orchestrate();
    running.push(started.orchestration);
    return started;
  };
  return { clock, sim, ids, start };
}

function global(placement: NonNullable<ServiceSpec["TaskTemplate"]["Placement"]> = {}, restart: ServiceSpec["TaskTemplate"]["RestartPolicy"] = { Delay: 0 }) {
  return (spec: ServiceSpec): ServiceSpec => ({ ...spec, Mode: { Global: {} }, TaskTemplate: { ...spec.TaskTemplate, Placement: placement, RestartPolicy: restart } });
}

/** The nodes running a task of the service. */
function nodesOf(tasks: readonly Task[]): string[] {
  return tasks.map((task) => task.NodeID!).sort();
}

test("runs one task on every node, and on nodes that join later", async () => {
  const { sim, ids, start } = await cluster();
  const agent = await sim.createService("agent", global());
  start();
  await sim.converge();
  expect(nodesOf(sim.running(agent))).toEqual([ids["node-a"]!, ids["node-b"]!].sort());
  expect(sim.tasks(agent).every((task) => task.Slot === undefined)).toBe(true);

  const joined = await sim.addNode("node-c");
  await sim.converge();
  expect(nodesOf(sim.running(agent))).toEqual([ids["node-a"]!, ids["node-b"]!, joined].sort());
});

test("a removed node's tasks are deleted", async () => {
  const { sim, ids, start } = await cluster();
  const agent = await sim.createService("agent", global());
  start();
  await sim.converge();
  await sim.removeNode(ids["node-b"]!);
  await sim.converge();
  expect(nodesOf(sim.tasks(agent))).toEqual([ids["node-a"]!]);
});

test("drain shuts the node's task down without replacing it; active again brings a new one", async () => {
  const { sim, ids, start } = await cluster();
  const agent = await sim.createService("agent", global());
  start();
  await sim.converge();
  const b = ids["node-b"]!;
  const onB = sim.running(agent).find((task) => task.NodeID === b)!;
  await sim.setAvailability(b, "drain");
  await sim.converge();
  expect(sim.task(onB.ID)).toMatchObject({ DesiredState: "shutdown", Status: { State: "shutdown" } });
  expect(nodesOf(sim.runnable(agent))).toEqual([ids["node-a"]!]);

  await sim.setAvailability(b, "active");
  await sim.converge();
  expect(nodesOf(sim.running(agent))).toEqual([ids["node-a"]!, b].sort());
  expect(sim.tasks(agent)).toHaveLength(3);
});

test("a node that goes down has its task shut down; it gets a new one when ready again", async () => {
  const { sim, ids, start } = await cluster();
  const agent = await sim.createService("agent", global());
  start();
  await sim.converge();
  const b = ids["node-b"]!;
  await sim.setNodeState(b, "down");
  await sim.converge();
  expect(nodesOf(sim.runnable(agent))).toEqual([ids["node-a"]!]);
  await sim.setNodeState(b, "ready");
  await sim.converge();
  expect(nodesOf(sim.running(agent))).toEqual([ids["node-a"]!, b].sort());
});

test("a paused node keeps its task but gets none for a new service", async () => {
  const { sim, ids, start } = await cluster();
  const first = await sim.createService("first", global());
  start();
  await sim.converge();
  await sim.setAvailability(ids["node-b"]!, "pause");
  const second = await sim.createService("second", global());
  await sim.converge();
  expect(sim.running(first)).toHaveLength(2);
  expect(nodesOf(sim.runnable(second))).toEqual([ids["node-a"]!]);
});

test("constraints choose the nodes, and label changes move the service", async () => {
  const { sim, ids, start } = await cluster({ east: { labels: { zone: "east" } }, west: { labels: { zone: "west" } }, other: {} });
  const agent = await sim.createService("agent", global({ Constraints: ["node.labels.zone==east"] }));
  start();
  await sim.converge();
  expect(nodesOf(sim.running(agent))).toEqual([ids["east"]!]);

  await sim.setNodeLabels(ids["west"]!, { zone: "east" });
  await sim.setNodeLabels(ids["east"]!, { zone: "north" });
  await sim.converge();
  expect(nodesOf(sim.runnable(agent))).toEqual([ids["west"]!]);
  expect(sim.tasks(agent).find((task) => task.NodeID === ids["east"])).toMatchObject({ DesiredState: "shutdown", Status: { State: "shutdown" } });

  await sim.updateService(agent, (spec) => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, Placement: {} } }));
  await sim.converge();
  expect(nodesOf(sim.runnable(agent))).toEqual([ids["east"]!, ids["west"]!, ids["other"]!].sort());
});

test("platforms choose the nodes (x86_64 is amd64)", async () => {
  const { sim, ids, start } = await cluster({
    intel: { platform: { OS: "linux", Architecture: "x86_64" } },
    arm: { platform: { OS: "linux", Architecture: "aarch64" } },
  });
  const arm = await sim.createService("arm", global({ Platforms: [{ OS: "linux", Architecture: "arm64" }] }));
  const intel = await sim.createService("intel", global({ Platforms: [{ OS: "", Architecture: "amd64" }] }));
  start();
  await sim.converge();
  expect(nodesOf(sim.running(arm))).toEqual([ids["arm"]!]);
  expect(nodesOf(sim.running(intel))).toEqual([ids["intel"]!]);
});

test("a failed task is restarted on its node after the delay", async () => {
  const { sim, clock, ids, start } = await cluster();
  const agent = await sim.createService("agent", global({}, { Delay: 2e9 }));
  start();
  await sim.converge();
  const b = ids["node-b"]!;
  const onB = sim.running(agent).find((task) => task.NodeID === b)!;
  await sim.stopTask(onB.ID, "failed");
  await sim.converge();
  const replacement = sim.runnable(agent).find((task) => task.NodeID === b)!;
  expect(replacement).toMatchObject({ DesiredState: "ready", Status: { State: "ready" } });
  clock.advance(2000);
  await sim.converge();
  expect(sim.task(replacement.ID)).toMatchObject({ DesiredState: "running", Status: { State: "running" } });
  expect(sim.tasks(agent)).toHaveLength(3);
});

test("outdated tasks go to the updater, one slot per node", async () => {
  const { sim, start } = await cluster();
  const agent = await sim.createService("agent", global());
  const { updater } = start();
  await sim.converge();
  await sim.updateService(agent, (spec) => ({ ...spec, TaskTemplate: { ...spec.TaskTemplate, ForceUpdate: 1 } }));
  await settle(sim.store);
  const tasks = sim.running(agent);
  expect(updater.updates).toHaveLength(1);
  expect(updater.updates[0]!.slots.sort()).toEqual(tasks.map((task) => [task.ID]).sort());
});

test("a new leader's orchestration creates no duplicate global tasks", async () => {
  const { sim, start } = await cluster();
  const agent = await sim.createService("agent", global());
  const first = start();
  await sim.converge();
  const before = sim.tasks(agent).map((task) => task.ID);
  await first.orchestration.stop();
  start();
  start();
  await sim.converge();
  expect(sim.tasks(agent).map((task) => task.ID)).toEqual(before);
});
