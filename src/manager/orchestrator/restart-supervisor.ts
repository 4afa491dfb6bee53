import { ShoalError, type Clock, type Logger, type Timer } from "../../lib/index.ts";
import type { ClusterStore, ReadTx, SwarmTables, WriteTx } from "../../store/index.ts";
import { compareTaskStates, type Service, type Task } from "../../types/index.ts";
import { writeInBatches } from "./batched-writes.ts";
import { newGlobalTask, newReplicatedTask } from "./new-task.ts";
import { isUnavailableNode } from "./node-eligibility.ts";
import { RestartHistory } from "./restart-history.ts";
import { restartPolicyOf } from "./restart-policy.ts";
import { isJob, isPerNode, jobIterationOf } from "./service-modes.ts";
import { groupTasks, hasStopped, isRunnable, newestTask, statusTime } from "./slots.ts";
import { StoreLoop, type Reconciler, type SwarmChange } from "./store-loop.ts";

/** How long a replacement waits at most for the task it replaces to stop (SwarmKit's `TaskTimeout`). */
export const OLD_TASK_STOP_TIMEOUT_MS = 60_000;

/** A replacement made with desired state `ready`, waiting for its restart delay and for the task it replaces to stop. */
interface DelayedStart {
  taskId: string;
  oldTaskId: string | null;
  oldNodeId: string | null;
  delayOver: boolean;
  oldStopped: boolean;
  /** The replacement itself failed while waiting: restart it once the wait is over instead of starting it. */
  restartAgain: boolean;
  timers: Timer[];
}

/** The key of a task's instance: its slot (replicated services and jobs) or its node (global ones). */
function instanceOf(task: Task): string {
  return task.Slot !== undefined ? `slot:${task.Slot}` : `node:${task.NodeID ?? ""}`;
}

/**
 * Restarts tasks under their restart policy (SwarmKit's `restart.Supervisor`). The orchestrators call
 * {@link RestartSupervisor.restart} inside {@link RestartSupervisor.update} for a task that stopped
 * while it should run (or whose node went away): the task's desired state becomes `shutdown` and,
 * when the policy allows (condition, max attempts within the window), a replacement for the same
 * slot (the same node for global services) is created in the same transaction. The replacement
 * waits with desired state `ready` (the agent may prepare it, not start it) until the restart delay
 * is over and the old task stopped (at most {@link OLD_TASK_STOP_TIMEOUT_MS}), then becomes `running`;
 * without a delay and with the old task already stopped it is `running` at once.
 *
 * Its own loop watches tasks and nodes for the replaced tasks stopping, and promotes replacements.
 * A new leader rebuilds the restart counts from the tasks in the store and resumes waiting replacements.
 */
export class RestartSupervisor implements Reconciler {
  readonly tables = ["tasks", "nodes"] as const;
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #loop: StoreLoop;
  readonly #history = new RestartHistory();
  /** Waiting replacements by their task ID. */
  readonly #delays = new Map<string, DelayedStart>();
  /** Replaced task ID → the waiting replacement's ID. */
  readonly #waitingFor = new Map<string, string>();
  #toStart = new Set<string>();
  #toRestart = new Set<string>();
  #staged: (() => void)[] | null = null;
  #historyRebuilt = false;

  constructor(options: { store: ClusterStore; clock: Clock; logger: Logger }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "orchestrator/restart" });
    this.#loop = new StoreLoop({ store: this.#store, reconciler: this, clock: this.#clock, logger: this.#log });
  }

  /** Starts watching for replaced tasks and promoting replacements. */
  start(): void {
    this.#loop.start();
  }

  /** Stops the loop and forgets every waiting replacement (a new leader resumes them from the store). */
  async stop(): Promise<void> {
    await this.#loop.stop();
    this.cancelAll();
  }

  /**
   * Runs `fn` as one store transaction in which {@link restart} may be called; what the restarts
   * arrange beyond the store (restart counts, delay timers) takes effect only once it committed.
   */
  readonly update = async <R>(fn: (tx: WriteTx<SwarmTables>) => R): Promise<R> => {
    const effects: (() => void)[] = [];
    const result = await this.#store.update((tx) => {
      this.#staged = effects;
      try {
        return fn(tx);
      } finally {
        this.#staged = null;
      }
    });
    for (const effect of effects) effect();
    return result;
  };

  /**
   * Shuts `task` (read in `tx`) down and, when its restart policy allows, creates its replacement
   * in the same slot (same node for per-node modes). A task already shut down is left alone; a
   * replacement still waiting for its own delay is restarted once that delay is over.
   */
  restart(tx: WriteTx<SwarmTables>, service: Service, task: Task): void {
    const staged = this.#staged;
    if (!staged) throw new ShoalError("internal", "RestartSupervisor.restart must run inside RestartSupervisor.update");
    const waiting = this.#delays.get(task.ID);
    if (waiting) {
      waiting.restartAgain = true;
      return;
    }
    if (!isRunnable(task)) return;
    tx.update("tasks", { ...task, DesiredState: "shutdown" });
    if (!this.shouldRestart(task, service)) {
      this.#log.debug("not restarting task: its restart policy says no", { "task.id": task.ID, "service.id": service.ID, "task.state": task.Status.State });
      return;
    }
    const perNode = isPerNode(service);
    if (perNode ? !task.NodeID : task.Slot === undefined) return; // no instance to put a replacement in: the orchestrator's reconciliation fills the gap
    const now = this.#clock.now();
    const stamp = new Date(now).toISOString();
    const made = perNode ? newGlobalTask(service, task.NodeID!, stamp) : newReplicatedTask(service, task.Slot!, stamp);
    const node = task.NodeID ? tx.get("nodes", task.NodeID) : undefined;
    // The restart delay guards against crash loops; a task moved off a drained or dead node did not
    // crash, so its replacement starts at once (SwarmKit waits the delay here too: slower recovery).
    const movedOff = node !== undefined && (node.Spec.Availability === "drain" || node.Status.State === "down");
    const delayMs = movedOff ? 0 : restartPolicyOf(task.Spec).delayMs;
    const waitStop = node !== undefined && node.Status.State !== "down" && !hasStopped(task);
    const immediate = delayMs === 0 && !waitStop;
    const replacement: Task = {
      ...made,
      DesiredState: immediate ? "running" : "ready",
      ...(isJob(service) ? { JobIteration: { Index: jobIterationOf(service) } } : {}),
    };
    tx.create("tasks", replacement);
    staged.push(() => {
      const policy = restartPolicyOf(replacement.Spec);
      if (policy.maxAttempts > 0) this.#history.record(service.ID, instanceOf(task), replacement.ServiceVersion?.Index ?? 0, now, policy.windowMs > 0);
      if (!immediate) this.#delayStart(replacement.ID, waitStop ? task : null, delayMs);
      this.#log.info("task restarted", { "task.id": task.ID, "replacement.id": replacement.ID, "service.id": service.ID, "delay.ms": delayMs });
    });
  }

  /** True when `task`'s restart policy allows replacing it now (SwarmKit's `shouldRestart`); jobs never restart a completed task. */
  shouldRestart(task: Task, service: Service): boolean {
    const policy = restartPolicyOf(task.Spec);
    if (policy.condition === "none") return false;
    if ((policy.condition === "on-failure" || isJob(service)) && task.Status.State === "complete") return false;
    return this.#history.allows(task.ServiceID, instanceOf(task), task.ServiceVersion?.Index, policy, statusTime(task));
  }

  /**
   * The tasks of one slot the orchestrators count and hand to the updater (SwarmKit's
   * `UpdatableTasksInSlot`): those meant to run; or, when none is, the newest task if it stays
   * stopped by its restart policy (so that an update still replaces it). Empty: the slot is dead
   * and needs a new task (or is being removed).
   */
  updatableTasksInSlot(slot: readonly Task[], service: Service): Task[] {
    if (slot.length === 0) return [];
    const runnable = slot.filter(isRunnable);
    if (runnable.length > 0) return runnable;
    if (service.UpdateStatus?.State === "rollback_started") return [];
    const newest = newestTask(slot);
    if (newest.DesiredState === "remove") return [];
    return this.shouldRestart(newest, service) ? [] : [newest];
  }

  /** Forgets a removed service's restart counts. */
  forgetService(serviceId: string): void {
    this.#history.forgetService(serviceId);
  }

  /** Stops waiting for the replacement `taskId` (it was deleted). */
  cancel(taskId: string): void {
    const entry = this.#delays.get(taskId);
    if (!entry) return;
    for (const timer of entry.timers) timer.cancel();
    this.#delays.delete(taskId);
    if (entry.oldTaskId) this.#waitingFor.delete(entry.oldTaskId);
  }

  /** Stops waiting for every replacement. */
  cancelAll(): void {
    for (const taskId of [...this.#delays.keys()]) this.cancel(taskId);
    this.#toStart.clear();
    this.#toRestart.clear();
  }

  init(tx: ReadTx<SwarmTables>): void {
    const tasks = tx.find("tasks");
    if (!this.#historyRebuilt) {
      this.#rebuildHistory(tasks);
      this.#historyRebuilt = true;
    }
    const now = this.#clock.now();
    for (const task of tasks) {
      if (task.DesiredState !== "ready" || this.#delays.has(task.ID) || compareTaskStates(task.Status.State, "complete") > 0) continue;
      const remaining = Date.parse(task.CreatedAt) + restartPolicyOf(task.Spec).delayMs - now;
      if (remaining > 0) this.#delayStart(task.ID, null, remaining);
      else this.#toStart.add(task.ID);
    }
  }

  handle(event: SwarmChange): void {
    if (event.table === "tasks") {
      if (event.kind === "delete") {
        this.cancel(event.object.ID);
        this.#oldTaskStopped(event.object.ID);
      } else if (hasStopped(event.object)) {
        this.#oldTaskStopped(event.object.ID);
      }
    } else if (event.table === "nodes" && (event.kind === "delete" || event.object.Status.State === "down")) {
      for (const entry of [...this.#delays.values()]) {
        if (entry.oldNodeId !== event.object.ID) continue;
        entry.oldStopped = true;
        this.#check(entry);
      }
    }
  }

  async tick(): Promise<void> {
    const start = [...this.#toStart];
    const again = [...this.#toRestart];
    this.#toStart.clear();
    this.#toRestart.clear();
    try {
      await writeInBatches(this.update, start, (tx, id) => startNow(tx, id));
      await writeInBatches(this.update, again, (tx, id) => this.#restartAgain(tx, id));
    } catch (error) {
      for (const id of start) this.#toStart.add(id);
      for (const id of again) this.#toRestart.add(id);
      throw error;
    }
  }

  /** Rebuilds restart counts from the store (SwarmKit's `CheckTasks`): in each instance, the tasks of its latest spec version after the first were restarts. */
  #rebuildHistory(tasks: readonly Task[]): void {
    const instances = groupTasks(tasks, (task) => `${task.ServiceID}\u0000${instanceOf(task)}`);
    for (const group of instances.values()) {
      const latest = Math.max(...group.map((task) => task.ServiceVersion?.Index ?? 0));
      const current = group.filter((task) => (task.ServiceVersion?.Index ?? 0) === latest).sort((a, b) => Date.parse(a.CreatedAt) - Date.parse(b.CreatedAt));
      for (const restarted of current.slice(1)) {
        const policy = restartPolicyOf(restarted.Spec);
        if (policy.maxAttempts === 0) continue;
        this.#history.record(restarted.ServiceID, instanceOf(restarted), latest, Date.parse(restarted.CreatedAt), policy.windowMs > 0);
      }
    }
  }

  #delayStart(taskId: string, oldTask: Task | null, delayMs: number): void {
    this.cancel(taskId);
    const entry: DelayedStart = {
      taskId,
      oldTaskId: oldTask?.ID ?? null,
      oldNodeId: oldTask?.NodeID ?? null,
      delayOver: delayMs <= 0,
      oldStopped: oldTask === null,
      restartAgain: false,
      timers: [],
    };
    this.#delays.set(taskId, entry);
    if (entry.oldTaskId) this.#waitingFor.set(entry.oldTaskId, taskId);
    if (!entry.delayOver) {
      entry.timers.push(
        this.#clock.setTimeout(() => {
          entry.delayOver = true;
          this.#check(entry);
        }, delayMs),
      );
    }
    if (!entry.oldStopped) {
      entry.timers.push(
        this.#clock.setTimeout(() => {
          entry.oldStopped = true;
          this.#check(entry);
        }, OLD_TASK_STOP_TIMEOUT_MS),
      );
    }
    this.#check(entry);
  }

  #oldTaskStopped(oldTaskId: string): void {
    const replacement = this.#waitingFor.get(oldTaskId);
    const entry = replacement === undefined ? undefined : this.#delays.get(replacement);
    if (!entry) return;
    entry.oldStopped = true;
    this.#check(entry);
  }

  /** Promotes (or restarts again) a waiting replacement once its delay is over and the old task stopped. */
  #check(entry: DelayedStart): void {
    if (this.#delays.get(entry.taskId) !== entry || !entry.delayOver) return;
    if (!entry.oldStopped) entry.oldStopped = this.#store.view((tx) => oldTaskGone(tx, entry));
    if (!entry.oldStopped) return;
    this.cancel(entry.taskId);
    (entry.restartAgain ? this.#toRestart : this.#toStart).add(entry.taskId);
    this.#loop.kick();
  }

  /** A replacement that failed while it waited: restart it now that its delay is over (or just start it if it recovered). */
  #restartAgain(tx: WriteTx<SwarmTables>, taskId: string): void {
    const task = tx.get("tasks", taskId);
    if (!task || !isRunnable(task)) return;
    const service = tx.get("services", task.ServiceID);
    if (!service) return;
    const node = task.NodeID ? tx.get("nodes", task.NodeID) : undefined;
    const nodeGone = task.NodeID !== undefined && isUnavailableNode(node);
    if (isPerNode(service) && nodeGone) tx.update("tasks", { ...task, DesiredState: "shutdown" });
    else if (hasStopped(task) || nodeGone) this.restart(tx, service, task);
    else startNow(tx, taskId);
  }
}

/** Moves a waiting replacement to desired state running (SwarmKit's `StartNow`). */
function startNow(tx: WriteTx<SwarmTables>, taskId: string): void {
  const task = tx.get("tasks", taskId);
  if (task && compareTaskStates(task.DesiredState, "running") < 0) tx.update("tasks", { ...task, DesiredState: "running" });
}

/** True when the task a replacement waits for stopped, or can no longer be stopped (gone, or its node is gone or down). */
function oldTaskGone(tx: ReadTx<SwarmTables>, entry: DelayedStart): boolean {
  const old = entry.oldTaskId ? tx.get("tasks", entry.oldTaskId) : undefined;
  if (!old || hasStopped(old)) return true;
  const node = old.NodeID ? tx.get("nodes", old.NodeID) : undefined;
  return !node || node.Status.State === "down";
}
