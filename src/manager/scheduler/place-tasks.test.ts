import { describe, expect, test } from "bun:test";
import type { Node, PortConfig, Task, TaskSpec } from "../../types/index.ts";
import { planPlacements, type PlacementDecision, type PlacementInput } from "./place-tasks.ts";
import { reserving, testNode, testService, testTask } from "./test-fixtures.ts";

/** `count` pending tasks of service `serviceId`, IDs `<serviceId>-1`…. */
function tasks(serviceId: string, count: number, spec: Partial<TaskSpec> = {}): Task[] {
  return Array.from({ length: count }, (_, index) => testTask(`${serviceId}-${index + 1}`, serviceId, { spec }));
}

/** Running tasks of `serviceId` on `nodeId`. */
function running(serviceId: string, nodeId: string, count: number, spec: Partial<TaskSpec> = {}): Task[] {
  return Array.from({ length: count }, (_, index) => testTask(`${serviceId}-on-${nodeId}-${index}`, serviceId, { nodeId, state: "running", spec }));
}

function plan(input: Partial<PlacementInput> & { nodes: Node[] }): PlacementDecision[] {
  return planPlacements({ placed: [], tasks: [], ...input });
}

/** Node ID → number of tasks placed there. */
function perNode(decisions: PlacementDecision[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const decision of decisions) if (decision.kind === "assigned") counts[decision.nodeId] = (counts[decision.nodeId] ?? 0) + 1;
  return counts;
}

function reasons(decisions: PlacementDecision[]): string[] {
  return decisions.flatMap((decision) => (decision.kind === "unplaceable" ? [decision.reason] : []));
}

describe("filters", () => {
  test("only ready, active nodes take new tasks; paused and drained ones do not", () => {
    const nodes = [
      testNode("down", { status: { State: "down" } }),
      testNode("drained", { spec: { Availability: "drain" } }),
      testNode("paused", { spec: { Availability: "pause" } }),
      testNode("ready"),
    ];
    expect(perNode(plan({ nodes, tasks: tasks("web", 3) }))).toEqual({ ready: 3 });
    expect(reasons(plan({ nodes: nodes.slice(0, 3), tasks: tasks("web", 2) }))).toEqual([
      "no suitable node (3 nodes not available for new tasks)",
      "no suitable node (3 nodes not available for new tasks)",
    ]);
  });

  test("reservations must fit in what the node has left, counting tasks placed earlier in the batch", () => {
    const nodes = [testNode("a", { cpus: 2 }), testNode("b", { cpus: 2 })];
    const decisions = plan({ nodes, tasks: tasks("web", 5, reserving(1)) });
    expect(perNode(decisions)).toEqual({ a: 2, b: 2 });
    expect(reasons(decisions)).toEqual(["no suitable node (insufficient resources on 2 nodes)"]);
  });

  test("running tasks hold their reservations; stopped ones do not", () => {
    const nodes = [testNode("a", { cpus: 2 }), testNode("b", { cpus: 2 })];
    const placed = [
      ...running("db", "a", 1, reserving(1.5)),
      testTask("old", "db", { nodeId: "b", state: "complete", spec: reserving(2) }),
      testTask("stopping", "db", { nodeId: "b", state: "running", desired: "shutdown", spec: reserving(1) }),
    ];
    const decisions = plan({ nodes, placed, tasks: tasks("web", 2, reserving(1)) });
    expect(perNode(decisions)).toEqual({ b: 1 });
    expect(reasons(decisions)).toEqual(["no suitable node (insufficient resources on 2 nodes)"]);
  });

  test("memory reservations count as CPU ones do", () => {
    const nodes = [testNode("a", { memory: 1000 }), testNode("b", { memory: 300 })];
    const decisions = plan({ nodes, tasks: tasks("web", 3, reserving(0, 400)) });
    expect(perNode(decisions)).toEqual({ a: 2 });
    expect(reasons(decisions)).toEqual(["no suitable node (insufficient resources on 2 nodes)"]);
  });

  test("constraints choose the nodes; the reason counts each node under the first filter it fails", () => {
    const nodes = [
      testNode("east-1", { labels: { zone: "east" } }),
      testNode("east-2", { labels: { zone: "east" }, status: { State: "down" } }),
      testNode("west-1", { labels: { zone: "west" } }),
      testNode("none"),
    ];
    const placement = { Placement: { Constraints: ["node.labels.zone==east"] } };
    expect(perNode(plan({ nodes, tasks: tasks("web", 3, placement) }))).toEqual({ "east-1": 3 });
    const decisions = plan({ nodes: nodes.slice(1), tasks: tasks("web", 1, placement) });
    expect(reasons(decisions)).toEqual(["no suitable node (scheduling constraints not satisfied on 2 nodes; 1 node not available for new tasks)"]);
  });

  test("constraints that do not parse (bad stored data) are ignored, as SwarmKit does", () => {
    expect(perNode(plan({ nodes: [testNode("a")], tasks: tasks("web", 1, { Placement: { Constraints: ["zone=east"] } }) }))).toEqual({ a: 1 });
  });

  test("platforms: the node's OS and architecture must be listed (x86_64 is amd64, aarch64 is arm64)", () => {
    const nodes = [testNode("intel"), testNode("arm", { description: { Platform: { OS: "linux", Architecture: "aarch64" } } }), testNode("windows", { description: { Platform: { OS: "windows", Architecture: "x86_64" } } })];
    const only = (Platforms: { OS: string; Architecture: string }[]) => ({ Placement: { Platforms } });
    expect(perNode(plan({ nodes, tasks: tasks("web", 2, only([{ OS: "linux", Architecture: "amd64" }])) }))).toEqual({ intel: 2 });
    expect(perNode(plan({ nodes, tasks: tasks("web", 2, only([{ OS: "linux", Architecture: "arm64" }])) }))).toEqual({ arm: 2 });
    expect(perNode(plan({ nodes, tasks: tasks("web", 3, only([{ OS: "", Architecture: "amd64" }])) }))).toEqual({ intel: 2, windows: 1 });
    expect(reasons(plan({ nodes, tasks: tasks("web", 1, only([{ OS: "linux", Architecture: "s390x" }])) }))).toEqual(["no suitable node (unsupported platform on 3 nodes)"]);
  });

  test("a host-mode published port is used by one task per node; ingress ports do not clash", () => {
    const nodes = [testNode("a"), testNode("b"), testNode("c")];
    const hostPort: PortConfig = { Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "host" };
    const services = [testService("web", [hostPort]), testService("api", [{ ...hostPort, PublishMode: "ingress" }]), testService("dns", [{ ...hostPort, Protocol: "udp" }])];
    const placed = running("other", "c", 1).map((task) => ({ ...task, ServiceID: "web" }));
    const decisions = plan({ nodes, placed, services, tasks: tasks("web", 3) });
    expect(perNode(decisions)).toEqual({ a: 1, b: 1 });
    expect(reasons(decisions)).toEqual(["no suitable node (host-mode port already in use on 3 nodes)"]);
    expect(perNode(plan({ nodes, placed, services, tasks: tasks("api", 6) }))).toEqual({ a: 2, b: 2, c: 2 });
    expect(perNode(plan({ nodes, placed, services, tasks: tasks("dns", 3) }))).toEqual({ a: 1, b: 1, c: 1 });
  });

  test("max replicas per node caps the service's tasks on each node", () => {
    const nodes = [testNode("a"), testNode("b"), testNode("c")];
    const placed = running("web", "a", 1);
    const decisions = plan({ nodes, placed, tasks: tasks("web", 6, { Placement: { MaxReplicas: 2 } }) });
    expect(perNode(decisions)).toEqual({ a: 1, b: 2, c: 2 });
    expect(reasons(decisions)).toEqual(["no suitable node (max replicas per node limit exceed)"]);
  });

  test("the reason lists the filters by how many nodes they refused, most first", () => {
    const nodes = [
      testNode("a", { cpus: 1, labels: { zone: "east" } }),
      testNode("b", { cpus: 1, labels: { zone: "east" } }),
      testNode("c", { cpus: 8, labels: { zone: "west" } }),
      testNode("d", { status: { State: "down" } }),
    ];
    const decisions = plan({ nodes, tasks: tasks("web", 1, { ...reserving(2), Placement: { Constraints: ["node.labels.zone==east"] } }) });
    expect(reasons(decisions)).toEqual(["no suitable node (insufficient resources on 2 nodes; 1 node not available for new tasks; scheduling constraints not satisfied on 1 node)"]);
  });

  test("with no nodes at all the reason is bare", () => {
    expect(reasons(plan({ nodes: [], tasks: tasks("web", 1) }))).toEqual(["no suitable node"]);
  });
});

describe("spread", () => {
  test("tasks go to the nodes with the fewest tasks of the service, then the fewest tasks", () => {
    const nodes = [testNode("a"), testNode("b"), testNode("c")];
    const placed = [...running("web", "a", 2), ...running("db", "b", 3)];
    const decisions = plan({ nodes, placed, tasks: tasks("web", 4) });
    // c (no tasks at all), b (no web task), then b and c tie on web tasks: c has fewer tasks overall.
    expect(decisions.map((decision) => (decision.kind === "assigned" ? decision.nodeId : "-"))).toEqual(["c", "b", "c", "b"]);
  });

  test("equal nodes are filled evenly, ties broken by node ID", () => {
    const nodes = ["n3", "n1", "n2"].map((id) => testNode(id));
    const decisions = plan({ nodes, tasks: tasks("web", 7) });
    expect(decisions.map((decision) => (decision.kind === "assigned" ? decision.nodeId : "-"))).toEqual(["n1", "n2", "n3", "n1", "n2", "n3", "n1"]);
  });

  test("tasks of other services on a node count only to break ties", () => {
    const nodes = [testNode("a"), testNode("b")];
    const placed = running("db", "a", 10);
    expect(perNode(plan({ nodes, placed, tasks: tasks("web", 4) }))).toEqual({ a: 2, b: 2 });
  });
});

describe("placement preferences", () => {
  const zoned = [
    testNode("a1", { labels: { zone: "a" } }),
    testNode("b1", { labels: { zone: "b" } }),
    testNode("b2", { labels: { zone: "b" } }),
    testNode("b3", { labels: { zone: "b" } }),
  ];
  const spread = (...descriptors: string[]) => ({ Placement: { Preferences: descriptors.map((SpreadDescriptor) => ({ Spread: { SpreadDescriptor } })) } });

  test("spread=node.labels.X spreads over the label's values first, then over the nodes of each", () => {
    expect(perNode(plan({ nodes: zoned, tasks: tasks("web", 6, spread("node.labels.zone")) }))).toEqual({ a1: 3, b1: 1, b2: 1, b3: 1 });
  });

  test("nodes lacking the label form one group of their own", () => {
    const nodes = [...zoned, testNode("x1"), testNode("x2")];
    expect(perNode(plan({ nodes, tasks: tasks("web", 6, spread("node.labels.zone")) }))).toEqual({ a1: 2, b1: 1, b2: 1, x1: 1, x2: 1 });
  });

  test("the service's tasks already in a group count toward it", () => {
    const placed = running("web", "a1", 4);
    // Zone b catches up with zone a's 4 tasks, then the tie goes to the first value.
    expect(perNode(plan({ nodes: zoned, placed, tasks: tasks("web", 5, spread("node.labels.zone")) }))).toEqual({ a1: 1, b1: 2, b2: 1, b3: 1 });
  });

  test("a group whose nodes cannot take more leaves the rest to the others", () => {
    const nodes = [testNode("a1", { labels: { zone: "a" }, cpus: 1 }), ...zoned.slice(1)];
    expect(perNode(plan({ nodes, tasks: tasks("web", 6, { ...spread("node.labels.zone"), ...reserving(1) }) }))).toEqual({ a1: 1, b1: 2, b2: 2, b3: 1 });
  });

  test("engine labels and nested preferences", () => {
    const nodes = [
      testNode("e1", { engineLabels: { dc: "east" }, labels: { rack: "r1" } }),
      testNode("e2", { engineLabels: { dc: "east" }, labels: { rack: "r1" } }),
      testNode("e3", { engineLabels: { dc: "east" }, labels: { rack: "r2" } }),
      testNode("w1", { engineLabels: { dc: "west" }, labels: { rack: "r1" } }),
    ];
    expect(perNode(plan({ nodes, tasks: tasks("web", 8, spread("engine.labels.dc", "node.labels.rack")) }))).toEqual({ e1: 1, e2: 1, e3: 2, w1: 4 });
  });

  test("descriptors that are not labels are ignored", () => {
    expect(perNode(plan({ nodes: zoned, tasks: tasks("web", 4, spread("node.hostname")) }))).toEqual({ a1: 1, b1: 1, b2: 1, b3: 1 });
  });
});

describe("preassigned tasks", () => {
  test("are checked against their own node only, first, with the bare explanation", () => {
    const nodes = [testNode("a", { cpus: 1 }), testNode("b", { cpus: 1 })];
    const global = [testTask("g-a", "agent", { nodeId: "a", spec: reserving(1) }), testTask("g-b", "agent", { nodeId: "b", spec: reserving(2) })];
    const decisions = plan({ nodes, tasks: [...tasks("web", 1, reserving(1)), ...global] });
    expect(decisions).toMatchObject([
      { kind: "assigned", task: { ID: "g-a" }, nodeId: "a", preassigned: true },
      { kind: "unplaceable", task: { ID: "g-b" }, reason: "insufficient resources on 1 node" },
      { kind: "assigned", task: { ID: "web-1" }, nodeId: "b", preassigned: false },
    ]);
  });

  test("a task preassigned to a node the set does not have gets no decision", () => {
    expect(plan({ nodes: [testNode("a")], tasks: [testTask("g", "agent", { nodeId: "gone" })] })).toEqual([]);
  });

  test("a drained node refuses its preassigned task", () => {
    const decisions = plan({ nodes: [testNode("a", { spec: { Availability: "drain" } })], tasks: [testTask("g", "agent", { nodeId: "a" })] });
    expect(reasons(decisions)).toEqual(["1 node not available for new tasks"]);
  });
});
