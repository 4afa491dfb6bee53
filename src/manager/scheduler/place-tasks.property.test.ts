import { expect, test } from "bun:test";
import fc from "fast-check";
import type { Node, PortConfig, Task } from "../../types/index.ts";
import { matchesConstraints, parseConstraints } from "./constraints.ts";
import { planPlacements, type PlacementDecision } from "./place-tasks.ts";
import { reserving, testNode, testService, testTask } from "./test-fixtures.ts";

const nodeIds = (count: number) => Array.from({ length: count }, (_, index) => `n${String(index).padStart(2, "0")}`);

function assignedTo(decisions: PlacementDecision[]): Map<string, Task[]> {
  const byNode = new Map<string, Task[]>();
  for (const decision of decisions) {
    if (decision.kind === "assigned") byNode.set(decision.nodeId, [...(byNode.get(decision.nodeId) ?? []), decision.task]);
  }
  return byNode;
}

test("spread: on equal nodes, a node gets a new task only while no eligible node has fewer of the service", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 12 }),
      fc.array(fc.nat(5), { maxLength: 12 }),
      fc.integer({ min: 0, max: 60 }),
      fc.array(fc.nat(11), { maxLength: 4 }),
      (nodeCount, existing, newTasks, drained) => {
        const ids = nodeIds(nodeCount);
        const nodes = ids.map((id, index) => testNode(id, drained.includes(index) ? { spec: { Availability: "drain" } } : {}));
        const placed = ids.flatMap((id, index) => Array.from({ length: existing[index] ?? 0 }, (_, n) => testTask(`old-${id}-${n}`, "web", { nodeId: id, state: "running" })));
        const tasks = Array.from({ length: newTasks }, (_, n) => testTask(`new-${n}`, "web"));
        const decisions = planPlacements({ nodes, placed, tasks });
        const eligible = ids.filter((_, index) => !drained.includes(index));
        if (eligible.length === 0) return expect(decisions.every((decision) => decision.kind === "unplaceable")).toBe(true);
        expect(decisions.every((decision) => decision.kind === "assigned")).toBe(true);
        const added = assignedTo(decisions);
        const final = new Map(eligible.map((id) => [id, (existing[ids.indexOf(id)] ?? 0) + (added.get(id)?.length ?? 0)]));
        const fewest = Math.min(...final.values());
        for (const [id, count] of final) if (added.has(id)) expect(count).toBeLessThanOrEqual(fewest + 1);
        for (const id of ids) if (!eligible.includes(id)) expect(added.has(id)).toBe(false);
      },
    ),
  );
});

test("resources: placements never reserve more than a node has", () => {
  const reservation = fc.record({ cpus: fc.integer({ min: 0, max: 4 }), memory: fc.integer({ min: 0, max: 4 }) });
  fc.assert(
    fc.property(
      fc.array(fc.record({ cpus: fc.integer({ min: 0, max: 8 }), memory: fc.integer({ min: 0, max: 8 }) }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.record({ node: fc.nat(7), demand: reservation }), { maxLength: 10 }),
      fc.array(fc.record({ service: fc.constantFrom("a", "b", "c"), demand: reservation }), { maxLength: 40 }),
      (capacities, existing, wanted) => {
        const ids = nodeIds(capacities.length);
        const nodes = capacities.map((capacity, index) => testNode(ids[index]!, { cpus: capacity.cpus, memory: capacity.memory * 1e9 }));
        // Tasks already running fit (they were placed by the same rules).
        const used = capacities.map(() => ({ cpus: 0, memory: 0 }));
        const placed: Task[] = [];
        existing.forEach(({ node, demand }, index) => {
          const at = node % capacities.length;
          if (used[at]!.cpus + demand.cpus > capacities[at]!.cpus || used[at]!.memory + demand.memory > capacities[at]!.memory) return;
          used[at]!.cpus += demand.cpus;
          used[at]!.memory += demand.memory;
          placed.push(testTask(`old-${index}`, "old", { nodeId: ids[at]!, state: "running", spec: reserving(demand.cpus, demand.memory * 1e9) }));
        });
        const tasks = wanted.map(({ service, demand }, index) => testTask(`new-${index}`, service, { spec: reserving(demand.cpus, demand.memory * 1e9) }));
        const decisions = planPlacements({ nodes, placed, tasks });
        const reserved = (task: Task) => task.Spec.Resources?.Reservations ?? {};
        const free = capacities.map((capacity, at) => {
          const added = assignedTo(decisions).get(ids[at]!) ?? [];
          return {
            cpus: capacity.cpus * 1e9 - used[at]!.cpus * 1e9 - added.reduce((sum, task) => sum + (reserved(task).NanoCPUs ?? 0), 0),
            memory: capacity.memory * 1e9 - used[at]!.memory * 1e9 - added.reduce((sum, task) => sum + (reserved(task).MemoryBytes ?? 0), 0),
          };
        });
        for (const left of free) {
          expect(left.cpus).toBeGreaterThanOrEqual(0);
          expect(left.memory).toBeGreaterThanOrEqual(0);
        }
        // A task left out fits nowhere, even after the others took their share.
        for (const decision of decisions) {
          if (decision.kind !== "unplaceable") continue;
          const demand = reserved(decision.task);
          expect(free.some((left) => (demand.NanoCPUs ?? 0) <= left.cpus && (demand.MemoryBytes ?? 0) <= left.memory)).toBe(false);
          expect(decision.reason).toContain("insufficient resources");
        }
      },
    ),
  );
});

test("constraints: every placement satisfies them, and a task is left out only when no ready node does", () => {
  const zone = fc.constantFrom("a", "b", "c", undefined);
  const constraint = fc.oneof(
    fc.constantFrom("a", "b", "c", "d").map((value) => `node.labels.zone==${value}`),
    fc.constantFrom("a", "b", "c").map((value) => `node.labels.zone!=${value}`),
    fc.constantFrom("worker", "manager").map((role) => `node.role==${role}`),
  );
  fc.assert(
    fc.property(
      fc.array(fc.record({ zone, manager: fc.boolean(), down: fc.boolean() }), { maxLength: 10 }),
      fc.array(fc.array(constraint, { maxLength: 3 }), { minLength: 1, maxLength: 5 }),
      (described, constraintSets) => {
        const nodes: Node[] = described.map((node, index) =>
          testNode(`n${index}`, { labels: node.zone ? { zone: node.zone } : {}, spec: { Role: node.manager ? "manager" : "worker" }, status: { State: node.down ? "down" : "ready" } }),
        );
        const tasks = constraintSets.flatMap((Constraints, service) => [0, 1, 2].map((n) => testTask(`s${service}-${n}`, `s${service}`, { spec: { Placement: { Constraints } } })));
        for (const decision of planPlacements({ nodes, placed: [], tasks })) {
          const constraints = parseConstraints(decision.task.Spec.Placement!.Constraints!);
          if (decision.kind === "assigned") {
            const node = nodes.find((candidate) => candidate.ID === decision.nodeId)!;
            expect(node.Status.State).toBe("ready");
            expect(matchesConstraints(node, constraints)).toBe(true);
          } else {
            expect(nodes.some((node) => node.Status.State === "ready" && matchesConstraints(node, constraints))).toBe(false);
          }
        }
      },
    ),
  );
});

test("host ports and max replicas: never two tasks on a port of a node, never more than the limit", () => {
  const port: PortConfig = { Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: "host" };
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 30 }), (nodeCount, withPort, limit, limited) => {
      const nodes = nodeIds(nodeCount).map((id) => testNode(id));
      const tasks = [
        ...Array.from({ length: withPort }, (_, n) => testTask(`p${n}`, "ported")),
        ...Array.from({ length: limited }, (_, n) => testTask(`m${n}`, "limited", { spec: { Placement: { MaxReplicas: limit } } })),
      ];
      const decisions = planPlacements({ nodes, placed: [], tasks, services: [testService("ported", [port])] });
      for (const added of assignedTo(decisions).values()) {
        expect(added.filter((task) => task.ServiceID === "ported").length).toBeLessThanOrEqual(1);
        expect(added.filter((task) => task.ServiceID === "limited").length).toBeLessThanOrEqual(limit);
      }
      const placedCount = (service: string) => decisions.filter((decision) => decision.kind === "assigned" && decision.task.ServiceID === service).length;
      expect(placedCount("ported")).toBe(Math.min(withPort, nodeCount));
      expect(placedCount("limited")).toBe(Math.min(limited, limit * nodeCount));
    }),
  );
});
