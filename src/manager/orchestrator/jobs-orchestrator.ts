import type { Clock, Logger } from "../../lib/index.ts";
import type { ClusterStore, ReadTx, SwarmTables, WriteTx } from "../../store/index.ts";
import type { Service, Task } from "../../types/index.ts";
import { writeInBatches } from "./batched-writes.ts";
import { setDesiredState } from "./desired-state.ts";
import { jobInstanceState, replicatedJobTargets, type JobInstanceState } from "./job-instances.ts";
import { newGlobalTask, newReplicatedTask } from "./new-task.ts";
import { isUnavailableNode, placementFilter } from "./node-eligibility.ts";
import type { OrchestratorOptions } from "./replicated-orchestrator.ts";
import type { RestartSupervisor } from "./restart-supervisor.ts";
import { isJob, jobIterationOf, modeOf } from "./service-modes.ts";
import { groupTasks, hasStopped, isRunnable } from "./slots.ts";
import { StoreLoop, type Reconciler, type SwarmChange } from "./store-loop.ts";
import { isTaskDirty } from "./task-dirty.ts";

/** What one reconciliation of a job decided. */
interface JobPlan {
  serviceId: string;
  iteration: number;
  /** The service's JobStatus must be written first (missing, or the template changed without a new iteration); nothing else is done this round. */
  newIteration: number | null;
  /** Slots (replicated jobs) or node IDs (global jobs) that get a new task. */
  create: (number | string)[];
  restart: string[];
  shutdown: string[];
  /** Tasks of earlier iterations still meant to run. */
  remove: string[];
  /** Tasks that completed: their desired state becomes `complete`, as `service ps` shows for jobs. */
  complete: string[];
}

/**
 * Runs replicated and global jobs to completion (SwarmKit's jobs orchestrator). A replicated job
 * runs `TotalCompletions` tasks in slots 1..N, at most `MaxConcurrent` at a time; a global job runs
 * one task on every ready, active node its placement allows (nodes joining later included). Tasks
 * carry the service's `JobStatus.JobIteration`; a new iteration (the service API bumps it on
 * update; this orchestrator does when the template changed without one) runs the job again and
 * sends the earlier iteration's unfinished tasks to `remove`. Failed tasks are restarted by the
 * restart supervisor under their policy, where `any` means `on-failure`: a job's task that
 * completed is never run again.
 */
export class JobsOrchestrator implements Reconciler {
  readonly tables = ["services", "tasks", "nodes"] as const;
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #restarts: RestartSupervisor;
  readonly #loop: StoreLoop;
  readonly #jobs = new Set<string>();
  #dirty = new Set<string>();

  constructor(options: OrchestratorOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "orchestrator/jobs" });
    this.#restarts = options.restarts;
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
    this.#jobs.clear();
    for (const service of tx.find("services")) if (isJob(service)) this.#jobs.add(service.ID);
    this.#dirty = new Set(this.#jobs);
  }

  handle(event: SwarmChange): void {
    switch (event.table) {
      case "services":
        if (event.kind === "delete") {
          if (this.#jobs.delete(event.object.ID)) this.#restarts.forgetService(event.object.ID);
          this.#dirty.delete(event.object.ID);
        } else if (isJob(event.object)) {
          this.#jobs.add(event.object.ID);
          this.#dirty.add(event.object.ID);
        } else {
          this.#jobs.delete(event.object.ID);
        }
        return;
      case "tasks": {
        const task = event.object;
        if (!this.#jobs.has(task.ServiceID)) return;
        // A task that stopped, or that is no longer meant to run (given up by its restart policy), frees capacity.
        const relevant = event.kind === "delete" ? isRunnable(task) : event.kind === "update" && ((hasStopped(task) && isRunnable(task)) || (isRunnable(event.oldObject) && !isRunnable(task)));
        if (relevant) this.#dirty.add(task.ServiceID);
        return;
      }
      case "nodes":
        // Global jobs follow nodes; replicated jobs replace tasks on nodes that went away.
        for (const id of this.#jobs) this.#dirty.add(id);
        return;
    }
  }

  async tick(): Promise<void> {
    const services = [...this.#dirty];
    this.#dirty = new Set();
    for (const [done, serviceId] of services.entries()) {
      try {
        const plan = this.#store.view((tx) => this.#plan(tx, serviceId));
        if (plan) await this.#apply(plan);
      } catch (error) {
        for (const id of services.slice(done)) this.#dirty.add(id);
        throw error;
      }
    }
  }

  #plan(tx: ReadTx<SwarmTables>, serviceId: string): JobPlan | null {
    const service = tx.get("services", serviceId);
    if (!service || !isJob(service)) return null;
    const iteration = jobIterationOf(service);
    const plan: JobPlan = { serviceId, iteration, newIteration: null, create: [], restart: [], shutdown: [], remove: [], complete: [] };
    const tasks = tx.find("tasks", { index: "service", key: serviceId });
    const current = tasks.filter((task) => task.JobIteration?.Index === iteration);
    if (!service.JobStatus) plan.newIteration = iteration;
    else if (current.some((task) => isTaskDirty(service, task))) plan.newIteration = iteration + 1;
    if (plan.newIteration !== null) return plan;
    for (const task of tasks) if (task.JobIteration?.Index !== iteration && isRunnable(task)) plan.remove.push(task.ID);
    if (modeOf(service) === "replicated-job") this.#planReplicated(tx, service, current, plan);
    else this.#planGlobal(tx, service, current, plan);
    return plan;
  }

  #planReplicated(tx: ReadTx<SwarmTables>, service: Service, current: readonly Task[], plan: JobPlan): void {
    const { maxConcurrent, totalCompletions } = replicatedJobTargets(service);
    const occupied = new Set<number>();
    let active = 0;
    for (const [slot, tasks] of groupTasks(current, (task) => task.Slot)) {
      const state = jobInstanceState(tasks, service, this.#restarts);
      if (state.kind === "free") continue;
      occupied.add(slot);
      this.#noteInstance(state, plan);
      if (state.kind !== "active") continue;
      active++;
      for (const task of state.running) {
        if (!hasStopped(task) && task.NodeID !== undefined && isUnavailableNode(tx.get("nodes", task.NodeID))) plan.restart.push(task.ID);
      }
    }
    const wanted = Math.min(maxConcurrent - active, totalCompletions - occupied.size);
    for (let slot = 1; slot <= totalCompletions && plan.create.length < wanted; slot++) {
      if (!occupied.has(slot)) plan.create.push(slot);
    }
  }

  #planGlobal(tx: ReadTx<SwarmTables>, service: Service, current: readonly Task[], plan: JobPlan): void {
    const accepts = placementFilter(service, this.#log);
    const byNode = groupTasks(current, (task) => task.NodeID);
    for (const node of tx.find("nodes")) {
      const tasks = byNode.get(node.ID) ?? [];
      byNode.delete(node.ID);
      if (!accepts(node) || isUnavailableNode(node)) {
        plan.shutdown.push(...tasks.filter(isRunnable).map((task) => task.ID));
        continue;
      }
      const state = jobInstanceState(tasks, service, this.#restarts);
      this.#noteInstance(state, plan);
      if (state.kind === "free" && node.Spec.Availability === "active" && node.Status.State === "ready") plan.create.push(node.ID);
    }
    for (const tasks of byNode.values()) plan.shutdown.push(...tasks.filter(isRunnable).map((task) => task.ID));
  }

  #noteInstance(state: JobInstanceState, plan: JobPlan): void {
    if (state.kind === "complete") plan.complete.push(...state.finished.filter(isRunnable).map((task) => task.ID));
    if (state.kind === "active") plan.restart.push(...state.stopped.map((task) => task.ID));
  }

  async #apply(plan: JobPlan): Promise<void> {
    const update = this.#store.update.bind(this.#store);
    const now = new Date(this.#clock.now()).toISOString();
    if (plan.newIteration !== null) {
      const iteration = plan.newIteration;
      await update((tx) => setJobIteration(tx, plan.serviceId, iteration, now));
      this.#log.info("job iteration started", { "service.id": plan.serviceId, "job.iteration": iteration });
      return;
    }
    await writeInBatches(this.#restarts.update, [...new Set(plan.restart)], (tx, taskId) => this.#restartTask(tx, taskId, plan.iteration));
    await writeInBatches(update, plan.create, (tx, instance) => createJobTask(tx, plan.serviceId, plan.iteration, instance, now));
    await writeInBatches(update, plan.shutdown, (tx, taskId) => setDesiredState(tx, taskId, "shutdown"));
    await writeInBatches(update, plan.remove, (tx, taskId) => setDesiredState(tx, taskId, "remove"));
    await writeInBatches(update, plan.complete, (tx, taskId) => setDesiredState(tx, taskId, "complete"));
    if (plan.create.length > 0) this.#log.info("job tasks created", { "service.id": plan.serviceId, "job.iteration": plan.iteration, created: plan.create.length });
  }

  #restartTask(tx: WriteTx<SwarmTables>, taskId: string, iteration: number): void {
    const task = tx.get("tasks", taskId);
    if (!task || !isRunnable(task) || task.JobIteration?.Index !== iteration || task.Status.State === "complete") return;
    const service = tx.get("services", task.ServiceID);
    if (!service || !isJob(service) || jobIterationOf(service) !== iteration) return;
    this.#restarts.restart(tx, service, task);
  }
}

/** Writes the service's JobStatus for `iteration` (re-checked in the transaction: another writer may have moved it on). */
function setJobIteration(tx: WriteTx<SwarmTables>, serviceId: string, iteration: number, now: string): void {
  const service = tx.get("services", serviceId);
  if (!service || !isJob(service)) return;
  const known = service.JobStatus?.JobIteration.Index;
  if (known !== undefined && known >= iteration) return;
  tx.update("services", { ...service, JobStatus: { JobIteration: { Index: iteration }, LastExecution: now } });
}

/** Creates a job task for a slot (number) or node (ID) unless one of this iteration runs or completed there meanwhile. */
function createJobTask(tx: WriteTx<SwarmTables>, serviceId: string, iteration: number, instance: number | string, now: string): void {
  const service = tx.get("services", serviceId);
  if (!service || !isJob(service) || jobIterationOf(service) !== iteration) return;
  const taken = (task: Task) => task.ServiceID === serviceId && task.JobIteration?.Index === iteration && (isRunnable(task) || task.Status.State === "complete");
  if (typeof instance === "number") {
    if (tx.find("tasks", { index: "slot", key: `${serviceId}/${instance}` }).some(taken)) return;
    tx.create("tasks", { ...newReplicatedTask(service, instance, now), JobIteration: { Index: iteration } });
  } else {
    const node = tx.get("nodes", instance);
    if (!node || isUnavailableNode(node) || tx.find("tasks", { index: "node", key: instance }).some(taken)) return;
    tx.create("tasks", { ...newGlobalTask(service, instance, now), JobIteration: { Index: iteration } });
  }
}
