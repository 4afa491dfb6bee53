import type { Clock, Logger } from "../../lib/index.ts";
import type { ClusterStore, ReadTx, SwarmTables, WriteTx } from "../../store/index.ts";
import { compareTaskStates, type Node, type Task } from "../../types/index.ts";
import { writeInBatches } from "./batched-writes.ts";
import { placementFilter } from "./node-eligibility.ts";
import { isPerNode } from "./service-modes.ts";
import { hasStopped, isRunnable } from "./slots.ts";
import { StoreLoop, type Reconciler, type SwarmChange } from "./store-loop.ts";

/** Status.Message and Err of a task the enforcer rejects (SwarmKit's words). */
export const CONSTRAINT_REJECTION = { Message: "task rejected by constraint enforcer", Err: "assigned node no longer meets constraints" } as const;

/**
 * Rejects tasks whose node no longer satisfies them (SwarmKit's constraint enforcer): when an active
 * node changes (labels, role, resources), each task meant to run there is checked against its
 * service's current placement constraints and against the node's resources (reservations summed in
 * the order of the tasks); a task that fails either gets observed state `rejected`, so the
 * replicated orchestrator places a replacement elsewhere. Drained nodes are left to the
 * orchestrators, paused ones alone; global services follow their nodes in the global orchestrator.
 */
export class ConstraintEnforcer implements Reconciler {
  readonly tables = ["nodes"] as const;
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #loop: StoreLoop;
  #dirtyNodes = new Set<string>();

  constructor(options: { store: ClusterStore; clock: Clock; logger: Logger }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "orchestrator/constraintenforcer" });
    this.#loop = new StoreLoop({ store: this.#store, reconciler: this, clock: this.#clock, logger: this.#log });
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
    this.#dirtyNodes = new Set(tx.find("nodes").map((node) => node.ID));
  }

  handle(event: SwarmChange): void {
    if (event.table === "nodes" && event.kind === "update") this.#dirtyNodes.add(event.object.ID);
  }

  async tick(): Promise<void> {
    const nodes = [...this.#dirtyNodes];
    this.#dirtyNodes = new Set();
    try {
      const rejected = this.#store.view((tx) => nodes.flatMap((nodeId) => this.#noncompliant(tx, nodeId)));
      if (rejected.length === 0) return;
      const now = new Date(this.#clock.now()).toISOString();
      await writeInBatches(this.#store.update.bind(this.#store), rejected, (tx, { taskId, nodeId }) => reject(tx, taskId, nodeId, now));
      this.#log.info("tasks rejected: their node no longer meets their constraints", { count: rejected.length });
    } catch (error) {
      for (const id of nodes) this.#dirtyNodes.add(id);
      throw error;
    }
  }

  #noncompliant(tx: ReadTx<SwarmTables>, nodeId: string): { taskId: string; nodeId: string }[] {
    const node = tx.get("nodes", nodeId);
    if (!node || node.Spec.Availability !== "active") return [];
    let nanoCpus = node.Description?.Resources.NanoCPUs ?? 0;
    let memoryBytes = node.Description?.Resources.MemoryBytes ?? 0;
    const found: { taskId: string; nodeId: string }[] = [];
    for (const task of tx.find("tasks", { index: "node", key: nodeId })) {
      if (!isRunnable(task) || hasStopped(task) || task.Status.State === "complete" || compareTaskStates(task.Status.State, "assigned") < 0) continue;
      const service = tx.get("services", task.ServiceID);
      if (service && isPerNode(service)) continue;
      if (service && !placementFilter(service, this.#log)(node)) {
        found.push({ taskId: task.ID, nodeId });
        continue;
      }
      const reserved = task.Spec.Resources?.Reservations;
      if (!reserved) continue;
      if ((reserved.NanoCPUs ?? 0) > nanoCpus || (reserved.MemoryBytes ?? 0) > memoryBytes) {
        found.push({ taskId: task.ID, nodeId });
        continue;
      }
      nanoCpus -= reserved.NanoCPUs ?? 0;
      memoryBytes -= reserved.MemoryBytes ?? 0;
    }
    return found;
  }
}

/** Marks a task rejected if it is still meant to run on the same node (re-read in the transaction). */
function reject(tx: WriteTx<SwarmTables>, taskId: string, nodeId: string, now: string): void {
  const task: Task | undefined = tx.get("tasks", taskId);
  const node: Node | undefined = tx.get("nodes", nodeId);
  if (!task || !node || task.NodeID !== nodeId || !isRunnable(task) || hasStopped(task)) return;
  tx.update("tasks", { ...task, Status: { ...task.Status, ...CONSTRAINT_REJECTION, State: "rejected", Timestamp: now } });
}
