import type { Clock, Logger } from "../../lib/index.ts";
import type { ClusterStore, ReadTx, SwarmTables, WriteTx } from "../../store/index.ts";
import type { Service, Task } from "../../types/index.ts";
import { writeInBatches } from "./batched-writes.ts";
import { setDesiredState } from "./desired-state.ts";
import { newGlobalTask } from "./new-task.ts";
import { isUnavailableNode, placementFilter, type PlacementFilter } from "./node-eligibility.ts";
import type { OrchestratorOptions } from "./replicated-orchestrator.ts";
import type { RestartSupervisor } from "./restart-supervisor.ts";
import type { ServiceUpdater, Slot } from "./service-updater.ts";
import { modeOf } from "./service-modes.ts";
import { groupTasks, hasStopped, isRunnable, isSlotDirty } from "./slots.ts";
import { StoreLoop, type Reconciler, type SwarmChange } from "./store-loop.ts";
import { updateInProgress } from "./update-in-progress.ts";

/** What one reconciliation decided for global services: tasks to create (service, node) and to shut down. */
interface GlobalPlan {
  create: { serviceId: string; nodeId: string }[];
  shutdown: string[];
  /** Per service, the node slots that stay, for the updater. */
  keep: Map<Service, Slot[]>;
}

function emptyPlan(): GlobalPlan {
  return { create: [], shutdown: [], keep: new Map() };
}

/**
 * Runs one task of each global service on every node that may hold it (SwarmKit's global
 * orchestrator): a node that is not down and not drained, whose labels, role and platform satisfy
 * the service's placement. Follows nodes joining (a task is created), leaving (its tasks are
 * deleted), going down or drained (its tasks shut down, not replaced), paused (left as they are),
 * and label changes (tasks shut down where the placement no longer matches, created where it now
 * does). A task that stopped is restarted on the same node by the restart supervisor; tasks with an
 * outdated template go to the updater.
 */
export class GlobalOrchestrator implements Reconciler {
  readonly tables = ["services", "tasks", "nodes"] as const;
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #restarts: RestartSupervisor;
  readonly #updater: ServiceUpdater;
  readonly #loop: StoreLoop;
  /** Global services by ID, with their placement filter (for the version it was made from). */
  readonly #services = new Map<string, { version: number; accepts: PlacementFilter }>();
  #dirtyServices = new Set<string>();
  #dirtyNodes = new Set<string>();
  #deletedNodes = new Set<string>();
  #restartCandidates = new Set<string>();

  constructor(options: OrchestratorOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "orchestrator/global" });
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
    this.#dirtyServices = new Set();
    this.#dirtyNodes = new Set();
    this.#deletedNodes = new Set();
    this.#restartCandidates = new Set();
    for (const service of tx.find("services")) {
      if (modeOf(service) !== "global") continue;
      this.#filterOf(service);
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
        } else if (modeOf(service) === "global") {
          this.#filterOf(service);
          this.#dirtyServices.add(service.ID);
        } else {
          this.#services.delete(service.ID);
        }
        return;
      }
      case "nodes": {
        const node = event.object;
        if (event.kind === "delete") {
          this.#deletedNodes.add(node.ID);
          this.#dirtyNodes.delete(node.ID);
          return;
        }
        this.#dirtyNodes.add(node.ID);
        // A paused node that becomes active may hold outdated tasks: let the services' reconciliation hand them to the updater.
        if (event.kind === "update" && event.oldObject.Spec.Availability === "pause" && node.Spec.Availability === "active") {
          for (const id of this.#services.keys()) this.#dirtyServices.add(id);
        }
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
    const deletedNodes = [...this.#deletedNodes];
    const candidates = [...this.#restartCandidates];
    const nodes = [...this.#dirtyNodes];
    const services = [...this.#dirtyServices];
    this.#deletedNodes = new Set();
    this.#restartCandidates = new Set();
    this.#dirtyNodes = new Set();
    this.#dirtyServices = new Set();
    try {
      await this.#deleteTasksOf(deletedNodes);
      await writeInBatches(this.#restarts.update, candidates, (tx, taskId) => this.#restartTask(tx, taskId));
      const plan = this.#store.view((tx) => {
        const planned = emptyPlan();
        for (const nodeId of nodes) this.#planNode(tx, nodeId, planned);
        for (const serviceId of services) this.#planService(tx, serviceId, planned);
        return planned;
      });
      await this.#apply(plan);
    } catch (error) {
      for (const id of deletedNodes) this.#deletedNodes.add(id);
      for (const id of candidates) this.#restartCandidates.add(id);
      for (const id of nodes) this.#dirtyNodes.add(id);
      for (const id of services) this.#dirtyServices.add(id);
      throw error;
    }
  }

  /** The placement filter of a global service, recompiled when its spec changed. */
  #filterOf(service: Service): PlacementFilter {
    const known = this.#services.get(service.ID);
    if (known && known.version === service.Version.Index) return known.accepts;
    const accepts = placementFilter(service, this.#log);
    this.#services.set(service.ID, { version: service.Version.Index, accepts });
    return accepts;
  }

  #noteTask(task: Task): void {
    if (isRunnable(task) && hasStopped(task) && this.#services.has(task.ServiceID)) this.#restartCandidates.add(task.ID);
  }

  /** Deletes the global tasks of nodes removed from the swarm (nothing will ever report on them again). */
  async #deleteTasksOf(nodeIds: readonly string[]): Promise<void> {
    if (nodeIds.length === 0) return;
    const taskIds = this.#store.view((tx) =>
      nodeIds.flatMap((nodeId) => tx.find("tasks", { index: "node", key: nodeId }).filter((task) => this.#services.has(task.ServiceID)).map((task) => task.ID)),
    );
    await writeInBatches(this.#store.update.bind(this.#store), taskIds, (tx, taskId) => {
      const task = tx.get("tasks", taskId);
      if (task && task.NodeID !== undefined && !tx.get("nodes", task.NodeID)) tx.delete("tasks", taskId);
    });
  }

  /** A stopped task: restarted on its node, or shut down when the node no longer takes the service (paused, placement). */
  #restartTask(tx: WriteTx<SwarmTables>, taskId: string): void {
    const task = tx.get("tasks", taskId);
    if (!task || !isRunnable(task)) return;
    const service = tx.get("services", task.ServiceID);
    if (!service || modeOf(service) !== "global") return;
    const node = task.NodeID ? tx.get("nodes", task.NodeID) : undefined;
    if (!node || isUnavailableNode(node)) return; // the node's reconciliation shuts it down
    if (node.Spec.Availability === "pause" || !this.#filterOf(service)(node)) setDesiredState(tx, taskId, "shutdown");
    else if (hasStopped(task)) this.#restarts.restart(tx, service, task);
  }

  /** One node changed: shut its tasks down when it is down or drained, else make it match every global service's placement. */
  #planNode(tx: ReadTx<SwarmTables>, nodeId: string, plan: GlobalPlan): void {
    const node = tx.get("nodes", nodeId);
    if (!node || node.Spec.Availability === "pause") return;
    const byService = groupTasks(tx.find("tasks", { index: "node", key: nodeId }), (task) => task.ServiceID);
    if (isUnavailableNode(node)) {
      for (const [serviceId, tasks] of byService) {
        if (this.#services.has(serviceId)) plan.shutdown.push(...tasks.filter(isRunnable).map((task) => task.ID));
      }
      return;
    }
    for (const serviceId of this.#services.keys()) {
      const service = tx.get("services", serviceId);
      if (!service || modeOf(service) !== "global") continue;
      const tasks = this.#restarts.updatableTasksInSlot(byService.get(serviceId) ?? [], service);
      if (!this.#filterOf(service)(node)) plan.shutdown.push(...tasks.filter(isRunnable).map((task) => task.ID));
      else if (tasks.length === 0) plan.create.push({ serviceId, nodeId });
    }
  }

  /** One service changed: a task on every node that takes it, none elsewhere. */
  #planService(tx: ReadTx<SwarmTables>, serviceId: string, plan: GlobalPlan): void {
    const service = tx.get("services", serviceId);
    if (!service || modeOf(service) !== "global") return;
    const accepts = this.#filterOf(service);
    const byNode = groupTasks(tx.find("tasks", { index: "service", key: serviceId }), (task) => task.NodeID);
    const keep: Slot[] = [];
    for (const node of tx.find("nodes")) {
      if (isUnavailableNode(node)) continue;
      const tasks = this.#restarts.updatableTasksInSlot(byNode.get(node.ID) ?? [], service);
      byNode.delete(node.ID);
      if (!accepts(node)) plan.shutdown.push(...tasks.filter(isRunnable).map((task) => task.ID));
      else if (node.Spec.Availability === "pause") continue;
      else if (tasks.length === 0) plan.create.push({ serviceId, nodeId: node.ID });
      else keep.push(tasks);
    }
    for (const tasks of byNode.values()) plan.shutdown.push(...tasks.filter(isRunnable).map((task) => task.ID));
    plan.keep.set(service, keep);
  }

  async #apply(plan: GlobalPlan): Promise<void> {
    const now = new Date(this.#clock.now()).toISOString();
    const update = this.#store.update.bind(this.#store);
    const create = [...new Map(plan.create.map((entry) => [`${entry.serviceId}/${entry.nodeId}`, entry])).values()];
    await writeInBatches(update, create, (tx, { serviceId, nodeId }) => this.#createOnNode(tx, serviceId, nodeId, now));
    await writeInBatches(update, [...new Set(plan.shutdown)], (tx, taskId) => setDesiredState(tx, taskId, "shutdown"));
    if (create.length > 0 || plan.shutdown.length > 0) this.#log.info("global services reconciled", { created: create.length, "shut.down": plan.shutdown.length });
    for (const [service, slots] of plan.keep) {
      const dirty = slots.filter((slot) => isSlotDirty(service, slot));
      // An update left "in progress" by a leader that died before writing its end is finished (or resumed) too.
      if (dirty.length > 0 || updateInProgress(service)) this.#updater.update(service, dirty);
    }
  }

  /** Creates the service's task on the node unless it has one meanwhile or no longer takes it (checked in the transaction). */
  #createOnNode(tx: WriteTx<SwarmTables>, serviceId: string, nodeId: string, now: string): void {
    const service = tx.get("services", serviceId);
    const node = tx.get("nodes", nodeId);
    if (!service || modeOf(service) !== "global" || !node || isUnavailableNode(node) || node.Spec.Availability === "pause") return;
    if (!this.#filterOf(service)(node)) return;
    if (tx.find("tasks", { index: "node", key: nodeId }).some((task) => task.ServiceID === serviceId && isRunnable(task))) return;
    tx.create("tasks", newGlobalTask(service, nodeId, now));
  }
}
