import type { Node, Service, Task } from "../../types/index.ts";
import type { NodeInfo, Reservation } from "./node-info.ts";
import { NodeSet } from "./node-set.ts";
import { Pipeline, noSuitableNode } from "./pipeline.ts";
import { SpreadTree } from "./spread-tree.ts";
import { hostPortsOf, isActiveDesiredState, reservationOf, stateRank, taskDemand, type TaskDemand } from "./task-demand.ts";

/** One task to place and what it demands. */
export interface PlacementRequest {
  readonly task: Task;
  readonly demand: TaskDemand;
}

/** What the scheduler decided for one task. */
export type PlacementDecision =
  /** The task goes to `nodeId` (a preassigned task: its own node takes it); `reservation` is now held there. */
  | { readonly kind: "assigned"; readonly task: Task; readonly nodeId: string; readonly reservation: Reservation; readonly preassigned: boolean }
  /** No node takes it: `reason` is the task's error ("no suitable node (…)"). */
  | { readonly kind: "unplaceable"; readonly task: Task; readonly reason: string };

/**
 * Decides a node for each request, reserving each placement in `nodes` before the next decision (so
 * later tasks see the resources, ports and counts earlier ones took). A task with a NodeID (global
 * services choose the node) is checked against that node only, before the others, and gets the bare
 * explanation as SwarmKit gives it ("insufficient resources on 1 node"); one whose node is unknown
 * gets no decision. The others are placed group by group (tasks of a service with equal demands, in
 * the order of their first request), spread by {@link SpreadTree}. Deterministic: the same nodes
 * and requests give the same decisions.
 */
export function placeTasks(nodes: NodeSet, requests: readonly PlacementRequest[]): PlacementDecision[] {
  const decisions: PlacementDecision[] = [];
  const pipelines = new Map<TaskDemand, Pipeline>();
  const pipelineOf = (demand: TaskDemand): Pipeline => {
    let pipeline = pipelines.get(demand);
    if (!pipeline) pipelines.set(demand, (pipeline = new Pipeline(demand)));
    return pipeline;
  };
  const groups = new Map<string, PlacementRequest[]>();
  for (const request of requests) {
    if (request.task.NodeID) continue;
    const group = groups.get(request.demand.key);
    if (group) group.push(request);
    else groups.set(request.demand.key, [request]);
  }
  for (const { task, demand } of requests) {
    if (!task.NodeID) continue;
    const node = nodes.get(task.NodeID);
    if (!node) continue;
    const pipeline = pipelineOf(demand);
    if (pipeline.passes(node)) {
      const reservation = reservationOf(task, demand.hostPorts);
      nodes.reserve(task.ID, node.id, reservation);
      decisions.push({ kind: "assigned", task, nodeId: node.id, reservation, preassigned: true });
    } else {
      decisions.push({ kind: "unplaceable", task, reason: pipeline.explain([node]) });
    }
  }
  for (const group of groups.values()) placeGroup(nodes, group, pipelineOf(group[0]!.demand), decisions);
  return decisions;
}

function placeGroup(nodes: NodeSet, group: readonly PlacementRequest[], pipeline: Pipeline, decisions: PlacementDecision[]): void {
  const demand = group[0]!.demand;
  const tree = SpreadTree.build(nodes.nodes(), demand, pipeline);
  let placed = 0;
  let task: Task;
  let reservation: Reservation;
  const reserve = (chosen: NodeInfo) => nodes.reserve(task.ID, chosen.id, reservation);
  // Reservations are immutable: tasks of a group share one (unless their desired states differ).
  const shared = reservationOf(group[0]!.task, demand.hostPorts);
  for (; placed < group.length; placed++) {
    task = group[placed]!.task;
    reservation = isActiveDesiredState(task) === shared.active ? shared : reservationOf(task, demand.hostPorts);
    const node = tree.placeNext(reserve);
    if (!node) break;
    decisions.push({ kind: "assigned", task, nodeId: node.id, reservation, preassigned: false });
  }
  if (placed === group.length) return;
  const reason = noSuitableNode(pipeline.explain(nodes.nodes()));
  for (; placed < group.length; placed++) decisions.push({ kind: "unplaceable", task: group[placed]!.task, reason });
}

/** What {@link planPlacements} decides from. */
export interface PlacementInput {
  readonly nodes: readonly Node[];
  /** Tasks already on nodes: those with a NodeID and a state from assigned to running hold resources, host ports and counts. */
  readonly placed: readonly Task[];
  /** Tasks to place, in order. */
  readonly tasks: readonly Task[];
  /** The services, for the ports their tasks publish in host mode. */
  readonly services?: readonly Service[];
}

/** The placement core on plain objects, without a store: what the scheduler would decide for `tasks`. */
export function planPlacements(input: PlacementInput): PlacementDecision[] {
  const ports = new Map((input.services ?? []).map((service) => [service.ID, hostPortsOf(service)]));
  const portsOf = (task: Task) => ports.get(task.ServiceID) ?? [];
  const nodes = new NodeSet();
  for (const node of input.nodes) nodes.setNode(node);
  for (const task of input.placed) {
    if (task.NodeID && holdsReservation(task)) nodes.reserve(task.ID, task.NodeID, reservationOf(task, portsOf(task)));
  }
  const demands = new Map<string, TaskDemand>();
  return placeTasks(
    nodes,
    input.tasks.map((task) => ({ task, demand: taskDemand(task, portsOf(task), demands) })),
  );
}

const ASSIGNED = stateRank("assigned");
const RUNNING = stateRank("running");

/** True for a task that holds resources on its node: assigned, and not yet stopped (SwarmKit: pending < state ≤ running). */
export function holdsReservation(task: Pick<Task, "Status">): boolean {
  const rank = stateRank(task.Status.State);
  return rank >= ASSIGNED && rank <= RUNNING;
}
