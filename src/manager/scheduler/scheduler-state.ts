import type { ChangeEvent, ReadTx, SwarmTables } from "../../store/index.ts";
import type { Node, Task } from "../../types/index.ts";
import { NodeSet } from "./node-set.ts";
import { holdsReservation, placeTasks, type PlacementDecision, type PlacementRequest } from "./place-tasks.ts";
import { hostPortsOf, isActiveDesiredState, reservationOf, taskDemand, type TaskDemand } from "./task-demand.ts";

/** The tables the scheduler follows. */
export const SCHEDULER_TABLES = ["nodes", "services", "tasks"] as const;

/** A change the scheduler follows. */
export type SchedulerEvent = ChangeEvent<SwarmTables, (typeof SCHEDULER_TABLES)[number]>;

/** A task waiting for a node. */
interface PendingTask {
  task: Task;
  demand: TaskDemand;
}

/** Demands kept for reuse between passes, at most (they are cheap to derive again). */
const DEMAND_CACHE_LIMIT = 10_000;

/**
 * What the scheduler knows, kept from store events (SwarmKit's scheduler fields): the nodes with the
 * reservations of the tasks on them, the services' host ports, and the tasks waiting for a node —
 * queued (new, or changed), or waiting (no node took them) until something frees room: a node
 * changes, a task stops or leaves its node. Decisions are reserved at once and rolled back when
 * their write does not land.
 */
export class SchedulerState {
  nodes = new NodeSet();
  readonly #services = new Map<string, readonly string[]>();
  readonly #pending = new Map<string, PendingTask>();
  readonly #queue = new Set<string>();
  readonly #waiting = new Set<string>();
  /** Placements being written, by task ID. */
  readonly #inFlight = new Map<string, PlacementDecision>();
  /** Tasks in flight of which a newer version was seen meanwhile. */
  readonly #superseded = new Set<string>();
  readonly #nodeSignatures = new Map<string, string>();
  readonly #demands = new Map<string, TaskDemand>();
  /** Set when room may have been freed: waiting tasks are tried again on the next pass. */
  #wake = false;

  /** Tasks waiting for a node (queued or waiting), and placements being written. */
  get counts(): { queued: number; waiting: number; inFlight: number } {
    return { queued: this.#queue.size, waiting: this.#waiting.size, inFlight: this.#inFlight.size };
  }

  /** True when a pass would have tasks to decide. */
  get hasWork(): boolean {
    return this.#queue.size > 0 || (this.#wake && this.#waiting.size > 0);
  }

  /** Starts over from a consistent read of the store. */
  load(tx: ReadTx<SwarmTables>): void {
    this.nodes = new NodeSet();
    for (const collection of [this.#services, this.#pending, this.#queue, this.#waiting, this.#inFlight, this.#superseded, this.#nodeSignatures, this.#demands]) collection.clear();
    this.#wake = false;
    for (const node of tx.find("nodes")) this.#setNode(node);
    for (const service of tx.find("services")) this.#services.set(service.ID, hostPortsOf(service));
    for (const task of tx.find("tasks")) this.#setTask(task.ID, task);
  }

  /** Notes one committed change. */
  apply(event: SchedulerEvent): void {
    switch (event.table) {
      case "nodes":
        if (event.kind === "delete") {
          this.nodes.removeNode(event.object.ID);
          this.#nodeSignatures.delete(event.object.ID);
        } else {
          this.#setNode(event.object);
        }
        return;
      case "services":
        if (event.kind === "delete") this.#services.delete(event.object.ID);
        else this.#services.set(event.object.ID, hostPortsOf(event.object));
        return;
      case "tasks": {
        if (this.#inFlight.has(event.object.ID)) this.#superseded.add(event.object.ID);
        this.#setTask(event.object.ID, event.kind === "delete" ? undefined : event.object);
      }
    }
  }

  /**
   * Decides the queued tasks (and the waiting ones when room was freed), reserving placements at
   * once. Returns the decisions to write: placements, and errors that differ from the task's.
   */
  decide(): PlacementDecision[] {
    const ids = [...this.#queue];
    if (this.#wake) ids.push(...this.#waiting);
    this.#wake = false;
    this.#queue.clear();
    if (this.#demands.size > DEMAND_CACHE_LIMIT) this.#demands.clear();
    const requests: PlacementRequest[] = ids.map((id) => this.#pending.get(id)!);
    const toWrite: PlacementDecision[] = [];
    for (const decision of placeTasks(this.nodes, requests)) {
      const id = decision.task.ID;
      if (decision.kind === "assigned") {
        this.#pending.delete(id);
        this.#waiting.delete(id);
        this.#inFlight.set(id, decision);
        toWrite.push(decision);
      } else if (decision.reason !== decision.task.Status.Err) {
        toWrite.push(decision);
      }
    }
    for (const id of ids) if (this.#pending.has(id)) this.#waiting.add(id);
    return toWrite;
  }

  /**
   * Takes note of which of `decisions` landed in the store (`written`). A placement that did not
   * land is rolled back and its task queued again — unless a newer version of the task was seen
   * meanwhile: that event already put the task's reservation and queue entry right.
   */
  settle(decisions: readonly PlacementDecision[], written: ReadonlySet<string>): void {
    for (const decision of decisions) {
      if (decision.kind !== "assigned") continue;
      const id = decision.task.ID;
      if (this.#inFlight.get(id) !== decision) continue;
      this.#inFlight.delete(id);
      const superseded = this.#superseded.delete(id);
      if (written.has(id) || superseded) continue;
      this.#release(id);
      this.#enqueue(decision.task);
    }
  }

  /** Tries the waiting tasks again on the next pass (after a failed write, say). */
  wake(): void {
    this.#wake = true;
  }

  #setNode(node: Node): void {
    const signature = JSON.stringify([node.Spec, node.Status.State, node.Status.Addr, node.Description?.Hostname, node.Description?.Platform, node.Description?.Resources, node.Description?.Engine?.Labels]);
    this.nodes.setNode(node);
    if (this.#nodeSignatures.get(node.ID) === signature) return;
    this.#nodeSignatures.set(node.ID, signature);
    this.#wake = true;
  }

  /** Takes the latest version of a task (undefined: deleted) into account. */
  #setTask(id: string, task: Task | undefined): void {
    if (task && wantsNode(task)) {
      this.#release(id);
      this.#enqueue(task);
      return;
    }
    this.#forget(id);
    if (!task || !task.NodeID || !holdsReservation(task)) {
      this.#release(id);
      return;
    }
    const placement = this.nodes.placement(id);
    const active = isActiveDesiredState(task);
    if (placement?.nodeId === task.NodeID) {
      if (placement.reservation.active === active) return;
      this.nodes.reserve(id, task.NodeID, { ...placement.reservation, active });
      if (!active) this.#wake = true;
      return;
    }
    if (placement) this.#release(id);
    this.nodes.reserve(id, task.NodeID, reservationOf(task, this.#services.get(task.ServiceID) ?? []));
  }

  #enqueue(task: Task): void {
    const demand = taskDemand(task, this.#services.get(task.ServiceID) ?? [], this.#demands);
    const known = this.#pending.get(task.ID);
    if (known && known.demand.key === demand.key && known.task.NodeID === task.NodeID) {
      known.task = task;
      return;
    }
    this.#pending.set(task.ID, { task, demand });
    this.#waiting.delete(task.ID);
    this.#queue.add(task.ID);
  }

  #forget(id: string): void {
    this.#pending.delete(id);
    this.#queue.delete(id);
    this.#waiting.delete(id);
  }

  /** Drops the reservation of task `id`, if it has one: room freed, waiting tasks get another try. */
  #release(id: string): void {
    if (this.nodes.release(id)) this.#wake = true;
  }
}

/** True for a task the scheduler has to place: pending, and still wanted (desired state `complete` or earlier, as SwarmKit). */
export function wantsNode(task: Task): boolean {
  return task.Status.State === "pending" && isActiveDesiredState(task);
}
