import type { Clock, Logger } from "../../lib/index.ts";
import type { ClusterStore, ReadTx, SwarmTables, WriteTx } from "../../store/index.ts";
import { compareTaskStates, type Node, type Service, type Task } from "../../types/index.ts";
import { writeInBatches } from "./batched-writes.ts";
import { setDesiredState } from "./desired-state.ts";
import { newReplicatedTask } from "./new-task.ts";
import { isUnavailableNode } from "./node-eligibility.ts";
import type { RestartSupervisor } from "./restart-supervisor.ts";
import { slotsInKeepOrder } from "./scale-down.ts";
import type { ServiceUpdater, Slot } from "./service-updater.ts";
import { modeOf } from "./service-modes.ts";
import { groupTasks, hasStopped, isRunnable, isSlotDirty } from "./slots.ts";
import { StoreLoop, type Reconciler, type SwarmChange } from "./store-loop.ts";
import { updateInProgress } from "./update-in-progress.ts";

/** What the replicated orchestrator needs. */
export interface OrchestratorOptions {
  store: ClusterStore;
  clock: Clock;
  logger: Logger;
  restarts: RestartSupervisor;
  updater: ServiceUpdater;
}

/** What one reconciliation of a replicated service decided, before it is written. */
interface ReplicatedPlan {
  service: Service;
  /** Slot numbers to fill with a new task. */
  create: number[];
  /** Tasks whose desired state becomes `remove` (slots scaled away, dead slots not refilled). */
  remove: string[];
  /** The slots that stay, for the updater. */
  keep: Slot[];
}

/**
 * Keeps each replicated service at `Replicas` slots (SwarmKit's replicated orchestrator). A slot is
 * counted while it holds a task meant to run (or one its restart policy keeps stopped). Missing slots
 * get a new task; on scale-down whole slots get desired state `remove` (not running ones first, then
 * those on the nodes with the most copies) and the task reaper deletes them once stopped; slots
 * running an outdated template go to the updater. Task-level: a task that stopped while it should run,
 * or whose node is down, drained or gone, goes to the restart supervisor, which replaces it in its slot.
 */
export class ReplicatedOrchestrator implements Reconciler {
  readonly tables = ["services", "tasks", "nodes"] as const;
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #restarts: RestartSupervisor;
  readonly #updater: ServiceUpdater;
  readonly #loop: StoreLoop;
  readonly #services = new Set<string>();
  readonly #nodes = new Map<string, Node>();
  #dirtyServices = new Set<string>();
  #restartCandidates = new Set<string>();

  constructor(options: OrchestratorOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "orchestrator/replicated" });
    this.#restarts = options.restarts;
    this.#updater = options.updater;
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
    this.#services.clear();
    this.#nodes.clear();
    this.#dirtyServices = new Set();
    this.#restartCandidates = new Set();
    for (const node of tx.find("nodes")) this.#nodes.set(node.ID, node);
    for (const service of tx.find("services")) {
      if (modeOf(service) !== "replicated") continue;
      this.#services.add(service.ID);
      this.#dirtyServices.add(service.ID);
    }
    for (const task of tx.find("tasks")) this.#noteTask(task);
  }

  handle(event: SwarmChange): void {
    switch (event.table) {
      case "services": {
        const service = event.object;
        if (event.kind === "delete") {
          if (!this.#services.delete(service.ID)) return;
          this.#dirtyServices.delete(service.ID);
          this.#updater.cancel(service.ID);
          this.#restarts.forgetService(service.ID);
        } else if (modeOf(service) === "replicated") {
          this.#services.add(service.ID);
          this.#dirtyServices.add(service.ID);
        } else {
          this.#services.delete(service.ID);
        }
        return;
      }
      case "nodes": {
        if (event.kind === "delete") this.#nodes.delete(event.object.ID);
        else this.#nodes.set(event.object.ID, event.object);
        if (event.kind === "delete" || isUnavailableNode(event.object)) this.#noteTasksOnNode(event.object.ID);
        return;
      }
      case "tasks": {
        const task = event.object;
        if (event.kind === "delete") {
          if (isRunnable(task) && this.#services.has(task.ServiceID)) this.#dirtyServices.add(task.ServiceID);
        } else {
          this.#noteTask(task);
        }
        return;
      }
    }
  }

  async tick(): Promise<void> {
    await this.#restartTasks();
    const services = [...this.#dirtyServices];
    this.#dirtyServices = new Set();
    for (const [done, serviceId] of services.entries()) {
      try {
        await this.#reconcile(serviceId);
      } catch (error) {
        for (const id of services.slice(done)) this.#dirtyServices.add(id);
        throw error;
      }
    }
  }

  /** Notes a task that stopped while it should run, or whose node is unavailable. */
  #noteTask(task: Task): void {
    if (!isRunnable(task) || !this.#services.has(task.ServiceID)) return;
    if (hasStopped(task) || (task.NodeID !== undefined && isUnavailableNode(this.#nodes.get(task.NodeID)))) this.#restartCandidates.add(task.ID);
  }

  #noteTasksOnNode(nodeId: string): void {
    const tasks = this.#store.view((tx) => tx.find("tasks", { index: "node", key: nodeId }));
    for (const task of tasks) {
      if (isRunnable(task) && this.#services.has(task.ServiceID)) this.#restartCandidates.add(task.ID);
    }
  }

  async #restartTasks(): Promise<void> {
    const candidates = [...this.#restartCandidates];
    this.#restartCandidates = new Set();
    try {
      await writeInBatches(this.#restarts.update, candidates, (tx, taskId) => this.#restartTask(tx, taskId));
    } catch (error) {
      for (const id of candidates) this.#restartCandidates.add(id);
      throw error;
    }
  }

  #restartTask(tx: WriteTx<SwarmTables>, taskId: string): void {
    const task = tx.get("tasks", taskId);
    if (!task || !isRunnable(task)) return;
    const service = tx.get("services", task.ServiceID);
    if (!service || modeOf(service) !== "replicated") return;
    const nodeGone = task.NodeID !== undefined && isUnavailableNode(tx.get("nodes", task.NodeID));
    if (hasStopped(task) || nodeGone) this.#restarts.restart(tx, service, task);
  }

  async #reconcile(serviceId: string): Promise<void> {
    const plan = this.#store.view((tx) => this.#plan(tx, serviceId));
    if (!plan) return;
    const now = new Date(this.#clock.now()).toISOString();
    await writeInBatches(this.#store.update.bind(this.#store), plan.create, (tx, slot) => createInSlot(tx, serviceId, slot, now));
    await writeInBatches(this.#store.update.bind(this.#store), plan.remove, (tx, taskId) => setDesiredState(tx, taskId, "remove"));
    if (plan.create.length > 0 || plan.remove.length > 0) {
      this.#log.info("service reconciled", { "service.id": serviceId, created: plan.create.length, removed: plan.remove.length });
    }
    const dirty = plan.keep.filter((slot) => isSlotDirty(plan.service, slot));
    // An update left "in progress" by a leader that died before writing its end is finished (or resumed) too.
    if (dirty.length > 0 || updateInProgress(plan.service)) this.#updater.update(plan.service, dirty);
  }

  #plan(tx: ReadTx<SwarmTables>, serviceId: string): ReplicatedPlan | null {
    const service = tx.get("services", serviceId);
    if (!service || !("Replicated" in service.Spec.Mode)) return null;
    const replicas = Math.max(0, service.Spec.Mode.Replicated.Replicas);
    const runnable = new Map<number, Slot>();
    const dead = new Map<number, Task[]>();
    for (const [slot, tasks] of groupTasks(tx.find("tasks", { index: "service", key: serviceId }), (task) => task.Slot)) {
      const updatable = this.#restarts.updatableTasksInSlot(tasks, service);
      if (updatable.length > 0) runnable.set(slot, updatable);
      else dead.set(slot, tasks);
    }
    const create: number[] = [];
    let keep: Slot[] = [...runnable.values()];
    const remove: string[] = [];
    if (replicas > runnable.size) {
      for (let slot = 1; create.length < replicas - runnable.size; slot++) {
        if (!runnable.has(slot)) create.push(slot);
      }
    } else if (replicas < runnable.size) {
      const ordered = slotsInKeepOrder(keep);
      keep = ordered.slice(0, replicas);
      for (const slot of ordered.slice(replicas)) for (const task of slot) remove.push(task.ID);
    }
    const refilled = new Set(create);
    for (const [slot, tasks] of dead) {
      if (refilled.has(slot)) continue;
      for (const task of tasks) if (compareTaskStates(task.DesiredState, "remove") < 0) remove.push(task.ID);
    }
    return { service, create, remove, keep };
  }
}

/** Creates a task in `slot` unless the slot got one meanwhile (checked in the transaction). */
function createInSlot(tx: WriteTx<SwarmTables>, serviceId: string, slot: number, now: string): void {
  const service = tx.get("services", serviceId);
  if (!service || !("Replicated" in service.Spec.Mode)) return;
  if (tx.find("tasks", { index: "slot", key: `${serviceId}/${slot}` }).some(isRunnable)) return;
  tx.create("tasks", newReplicatedTask(service, slot, now));
}
