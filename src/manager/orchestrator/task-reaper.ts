import type { Clock, Logger } from "../../lib/index.ts";
import type { ClusterStore, ReadTx, SwarmTables, WriteTx } from "../../store/index.ts";
import { compareTaskStates, type Service, type Task } from "../../types/index.ts";
import { writeInBatches } from "./batched-writes.ts";
import { restartPolicyOf } from "./restart-policy.ts";
import { isPerNode } from "./service-modes.ts";
import { hasStopped, isRunnable, neverAssigned, statusTime } from "./slots.ts";
import { StoreLoop, type Reconciler, type SwarmChange } from "./store-loop.ts";

/** Tasks kept per slot when the cluster object says nothing (Docker's `--task-history-limit` default). */
export const DEFAULT_TASK_HISTORY_LIMIT = 5;

/** One slot of a replicated service (or job), or one node of a global one. */
interface Instance {
  serviceId: string;
  slot?: number;
  nodeId?: string;
}

function instanceKey(task: Task): string {
  return task.Slot !== undefined ? `${task.ServiceID}/slot/${task.Slot}` : `${task.ServiceID}/node/${task.NodeID ?? ""}`;
}

function instanceOf(task: Task): Instance {
  return task.Slot !== undefined ? { serviceId: task.ServiceID, slot: task.Slot } : { serviceId: task.ServiceID, nodeId: task.NodeID ?? "" };
}

/** True when a task will never run again: it stopped, or it never reached a node and is no longer wanted. */
function isFinished(task: Task): boolean {
  return hasStopped(task) || (neverAssigned(task) && !isRunnable(task));
}

/**
 * Deletes tasks nobody needs any more (SwarmKit's task reaper), once per commit:
 * - history: each slot (each node for global services) keeps at most the cluster's
 *   `Orchestration.TaskHistoryRetentionLimit` tasks, running ones included (negative: keep all); the
 *   oldest finished ones go first, the newest task always stays, and a service with
 *   `--restart-max-attempts` keeps one more than that many (its restart count is rebuilt from them);
 * - tasks with desired state `remove` (scaled away, or of a removed service) once they stopped or
 *   if they never reached a node;
 * - tasks whose service no longer exists: deleted once finished, sent to `remove` until then.
 */
export class TaskReaper implements Reconciler {
  readonly tables = ["cluster", "services", "tasks"] as const;
  readonly #store: ClusterStore;
  readonly #clusterId: string;
  readonly #log: Logger;
  readonly #loop: StoreLoop;
  #limit = DEFAULT_TASK_HISTORY_LIMIT;
  #dirtyInstances = new Map<string, Instance>();
  #removable = new Set<string>();
  #removedServices = new Set<string>();

  constructor(options: { store: ClusterStore; clusterId: string; clock: Clock; logger: Logger }) {
    this.#store = options.store;
    this.#clusterId = options.clusterId;
    this.#log = options.logger.with({ module: "orchestrator/taskreaper" });
    this.#loop = new StoreLoop({ store: this.#store, reconciler: this, clock: options.clock, logger: this.#log });
  }

  /** Starts the loop: a full reconciliation from a fresh read, then one per commit. */
  start(): void {
    this.#loop.start();
  }

  /** Stops the loop; idempotent. */
  stop(): Promise<void> {
    return this.#loop.stop();
  }

  init(tx: ReadTx<SwarmTables>): void {
    this.#limit = tx.get("cluster", this.#clusterId)?.Spec.Orchestration.TaskHistoryRetentionLimit ?? DEFAULT_TASK_HISTORY_LIMIT;
    this.#dirtyInstances = new Map();
    this.#removable = new Set();
    this.#removedServices = new Set();
    for (const task of tx.find("tasks")) {
      this.#dirtyInstances.set(instanceKey(task), instanceOf(task));
      if (task.DesiredState === "remove") this.#removable.add(task.ID);
      if (!tx.get("services", task.ServiceID)) this.#removedServices.add(task.ServiceID);
    }
  }

  handle(event: SwarmChange): void {
    switch (event.table) {
      case "cluster":
        if (event.kind !== "delete" && event.object.ID === this.#clusterId) this.#limit = event.object.Spec.Orchestration.TaskHistoryRetentionLimit;
        return;
      case "services":
        if (event.kind === "delete") this.#removedServices.add(event.object.ID);
        return;
      case "tasks": {
        const task = event.object;
        if (event.kind === "delete") return;
        if (event.kind === "create" || (hasStopped(task) && !hasStopped(event.oldObject))) this.#dirtyInstances.set(instanceKey(task), instanceOf(task));
        if (task.DesiredState === "remove" && isFinished(task)) this.#removable.add(task.ID);
        return;
      }
    }
  }

  async tick(): Promise<void> {
    const instances = [...this.#dirtyInstances];
    const removable = [...this.#removable];
    const removedServices = [...this.#removedServices];
    this.#dirtyInstances = new Map();
    this.#removable = new Set();
    this.#removedServices = new Set();
    try {
      const { doomed, toRemove } = this.#store.view((tx) => {
        const doomed = new Set<string>(removable);
        const toRemove: string[] = [];
        for (const serviceId of removedServices) {
          if (tx.get("services", serviceId)) continue;
          for (const task of tx.find("tasks", { index: "service", key: serviceId })) {
            if (isFinished(task)) doomed.add(task.ID);
            else if (task.DesiredState !== "remove") toRemove.push(task.ID);
          }
        }
        for (const [, instance] of instances) for (const id of this.#pastHistory(tx, instance)) doomed.add(id);
        return { doomed: [...doomed], toRemove };
      });
      const update = this.#store.update.bind(this.#store);
      await writeInBatches(update, toRemove, (tx, taskId) => setRemove(tx, taskId));
      await writeInBatches(update, doomed, (tx, taskId) => this.#delete(tx, taskId));
      if (doomed.length > 0) this.#log.debug("tasks deleted", { count: doomed.length });
    } catch (error) {
      for (const [key, instance] of instances) this.#dirtyInstances.set(key, instance);
      for (const id of removable) this.#removable.add(id);
      for (const id of removedServices) this.#removedServices.add(id);
      throw error;
    }
  }

  /** The tasks of one instance beyond its history limit, oldest finished first. */
  #pastHistory(tx: ReadTx<SwarmTables>, instance: Instance): string[] {
    const service = tx.get("services", instance.serviceId);
    if (!service) return [];
    const limit = this.#limitFor(service);
    if (limit < 0) return [];
    const tasks =
      instance.slot !== undefined
        ? tx.find("tasks", { index: "slot", key: `${instance.serviceId}/${instance.slot}` })
        : isPerNode(service)
          ? tx.find("tasks", { index: "node", key: instance.nodeId ?? "" }).filter((task) => task.ServiceID === instance.serviceId && task.Slot === undefined)
          : [];
    let excess = tasks.length - limit;
    if (excess <= 0) return [];
    const oldestFirst = [...tasks].sort((a, b) => statusTime(a) - statusTime(b));
    oldestFirst.pop(); // the newest task always stays: it is the slot's present
    const doomed: string[] = [];
    for (const task of oldestFirst) {
      if (excess === 0) break;
      if (!isFinished(task)) continue;
      doomed.push(task.ID);
      excess--;
    }
    return doomed;
  }

  /** The history kept for `service`: the cluster's limit, or more when restarts are counted from history. */
  #limitFor(service: Service): number {
    if (this.#limit < 0) return this.#limit;
    const maxAttempts = restartPolicyOf(service.Spec.TaskTemplate).maxAttempts;
    return Math.max(this.#limit, maxAttempts > 0 ? maxAttempts + 1 : 0);
  }

  /** Deletes a task chosen earlier if it is still finished (it is re-read in the transaction). */
  #delete(tx: WriteTx<SwarmTables>, taskId: string): void {
    const task = tx.get("tasks", taskId);
    if (task && isFinished(task)) tx.delete("tasks", taskId);
  }
}

function setRemove(tx: WriteTx<SwarmTables>, taskId: string): void {
  const task = tx.get("tasks", taskId);
  if (task && !tx.get("services", task.ServiceID) && compareTaskStates(task.DesiredState, "remove") < 0) tx.update("tasks", { ...task, DesiredState: "remove" });
}
