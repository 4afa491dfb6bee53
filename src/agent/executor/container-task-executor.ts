import { ShoalError, toShoalError, type Clock, type Logger } from "../../lib/index.ts";
import { compareTaskStates, isTerminalTaskState, type AssignedFile, type LogOptions, type Task, type TaskLogLine, type TaskState, type TaskStatus, type TaskStatusReport } from "../../types/index.ts";
import type { TaskExecutor } from "../task-executor.ts";
import { containerSpecOf, TASK_ID_LABEL, taskContainerRequest } from "./task-container-config.ts";
import type { ContainerRecord } from "../../engine/index.ts";
import type { TaskEngine } from "./task-engine.ts";
import type { TaskFileStore } from "./task-files.ts";
import { adoptedStatus, containerStatus, decodeRegistryAuth, DESTROYED, exitError, hasHealthcheck, hasStarted, portStatus, STATE_MESSAGES, UNHEALTHY } from "./task-status.ts";

/** What the executor works with. */
export interface ContainerTaskExecutorOptions {
  engine: TaskEngine;
  /** Where the tasks' secrets and configs go ({@link TaskFiles} on a node). */
  files: TaskFileStore;
  clock: Clock;
  logger: Logger;
}

/** One task the executor knows: assigned now, or found as a container after a restart. */
interface TaskRun {
  readonly id: string;
  /** The task as last assigned; undefined for a container found at start and not assigned (yet). */
  task: Task | undefined;
  /** The last status reported (only ever moves forward); until then, the managers' view of the task. */
  status: TaskStatus;
  /** The status is the executor's own (reported, or read from an adopted container), worth re-reporting. */
  known: boolean;
  containerId: string | undefined;
  /** The run's operations, one at a time, in order. */
  queue: Promise<void>;
  /** A pass of the state machine is queued and has not begun. */
  advanceQueued: boolean;
  /** The health check failed and the container was stopped for it: its exit is a failure. */
  unhealthy: boolean;
  /** No longer assigned: its container is being removed and it reports nothing more. */
  gone: boolean;
}

/** More steps than a pass can take (accepted … running): a pass that gets here is stopped. */
const MAX_STEPS_PER_PASS = 12;

/**
 * Runs the tasks assigned to this node as containers of its engine (SwarmKit's `agent/exec` state
 * machine over moby's container executor). Each task goes accepted → preparing (pull if missing,
 * secrets and configs written, container created) → ready → starting → running (after its health
 * check first passes, when it has one) → complete or failed when its container exits; a pull or
 * create failure rejects it. A desired state of shutdown or beyond stops the container (shutdown);
 * a task no longer assigned has its container stopped and removed. Exits and health changes come
 * from the engine's events. Containers found at start are adopted by their task ID label.
 */
export class ContainerTaskExecutor implements TaskExecutor {
  readonly #engine: TaskEngine;
  readonly #files: TaskFileStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #runs = new Map<string, TaskRun>();
  readonly #byContainer = new Map<string, TaskRun>();
  /** Removals of unassigned tasks under way: a task assigned again waits for its old container to go. */
  readonly #leaving = new Map<string, Promise<void>>();
  #available: ReadonlyMap<string, AssignedFile> = new Map();
  #listener: (reports: TaskStatusReport[]) => void = () => {};
  #closed = false;
  readonly #unwatch: () => void;

  constructor(options: ContainerTaskExecutorOptions) {
    this.#engine = options.engine;
    this.#files = options.files;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "task-executor" });
    this.#unwatch = this.#engine.watch((containerId, action) => this.#onContainerEvent(containerId, action));
    this.#adopt();
  }

  reconcile(tasks: readonly Task[], files: readonly AssignedFile[]): void {
    if (this.#closed) return;
    this.#available = new Map(files.map((file) => [file.ID, file]));
    const assigned = new Set<string>();
    for (const task of tasks) {
      assigned.add(task.ID);
      const run = this.#runs.get(task.ID) ?? this.#newRun(task.ID, { ...task.Status });
      run.task = task;
      this.#advanceLater(run);
    }
    for (const run of [...this.#runs.values()]) if (!assigned.has(run.id)) this.#unassign(run);
  }

  onStatus(listener: (reports: TaskStatusReport[]) => void): void {
    this.#listener = listener;
  }

  statuses(): TaskStatusReport[] {
    return [...this.#runs.values()].filter((run) => run.known).map((run) => ({ taskId: run.id, status: run.status }));
  }

  logs(taskId: string, options: LogOptions, signal: AbortSignal): AsyncIterable<TaskLogLine> | null {
    const containerId = this.#runs.get(taskId)?.containerId;
    if (!containerId || !this.#engine.inspect(containerId)) return null;
    const lines = this.#engine.logs(containerId, { follow: options.follow, tail: options.tail, signal });
    const sinceMs = options.sinceMs;
    if (sinceMs === undefined) return lines;
    // docker applies --tail first, then --since.
    return (async function* () {
      for await (const line of lines) if (Date.parse(line.time) >= sinceMs) yield line;
    })();
  }

  /** Resolves once every queued operation has run (and those they queued in turn): for tests and orderly shutdowns. */
  async settled(): Promise<void> {
    for (;;) {
      const pending = this.#pending();
      await Promise.allSettled(pending);
      const now = this.#pending();
      if (now.length === pending.length && now.every((queue, index) => queue === pending[index])) return;
    }
  }

  #pending(): Promise<void>[] {
    return [...[...this.#runs.values()].map((run) => run.queue), ...this.#leaving.values()];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unwatch();
    await Promise.allSettled(this.#pending());
  }

  /** Takes in the task containers an earlier executor made (the newest of each task; older duplicates go). */
  #adopt(): void {
    for (const record of this.#engine.taskContainers()) {
      const taskId = record.Config.Labels[TASK_ID_LABEL]!;
      if (this.#runs.has(taskId)) {
        this.#log.warn("removing a second container of a task", { "task.id": taskId, container: record.Id.slice(0, 12) });
        void this.#engine.remove(record.Id).catch((error) => this.#log.warn("could not remove a duplicate task container", { container: record.Id.slice(0, 12), error: toShoalError(error).message }));
        continue;
      }
      const run = this.#newRun(taskId, adoptedStatus(record, this.#timestamp()));
      run.known = true;
      this.#attach(run, record.Id);
      this.#log.info("adopted task container", { "task.id": taskId, container: record.Id.slice(0, 12), state: run.status.State });
    }
  }

  #newRun(id: string, status: TaskStatus): TaskRun {
    const run: TaskRun = { id, task: undefined, status, known: false, containerId: undefined, queue: this.#leaving.get(id) ?? Promise.resolve(), advanceQueued: false, unhealthy: false, gone: false };
    this.#runs.set(id, run);
    return run;
  }

  #attach(run: TaskRun, containerId: string): void {
    run.containerId = containerId;
    this.#byContainer.set(containerId, run);
  }

  /** Queues `operation` behind the run's others; a failure is logged, never thrown. */
  #enqueue(run: TaskRun, operation: () => Promise<void> | void): Promise<void> {
    run.queue = run.queue
      .then(() => (this.#closed ? undefined : operation()))
      .catch((error) => this.#log.error("task operation failed", { "task.id": run.id, error: toShoalError(error).message }));
    return run.queue;
  }

  #advanceLater(run: TaskRun): void {
    if (run.advanceQueued) return;
    run.advanceQueued = true;
    void this.#enqueue(run, async () => {
      run.advanceQueued = false;
      for (let step = 0; step < MAX_STEPS_PER_PASS; step++) {
        if (run.gone || this.#closed || !run.task) return;
        if (!(await this.#step(run, run.task))) return;
      }
      this.#log.warn("task state machine did not settle", { "task.id": run.id, state: run.status.State });
    });
  }

  /** One move of the state machine (SwarmKit's `exec.Do`); false when the task waits (for an event, or for good). */
  async #step(run: TaskRun, task: Task): Promise<boolean> {
    const state = run.status.State;
    if (compareTaskStates(task.DesiredState, "shutdown") >= 0) {
      if (compareTaskStates(state, "complete") >= 0) return false;
      try {
        await this.#stopContainer(run);
      } catch (error) {
        this.#fatal(run, error);
        return false;
      }
      this.#report(run, "shutdown", STATE_MESSAGES.shutdown);
      return false;
    }
    if (compareTaskStates(state, task.DesiredState) > 0) return false;
    try {
      if (state === "preparing") return (await this.#prepare(run, task)) && this.#report(run, "ready", STATE_MESSAGES.ready);
      if (state === "starting") return await this.#start(run, task);
      if (state === "running") return this.#checkRunning(run);
    } catch (error) {
      this.#fatal(run, error);
      return false;
    }
    if (compareTaskStates(state, task.DesiredState) >= 0) return false;
    if (state === "new" || state === "pending" || state === "assigned") return this.#report(run, "accepted", STATE_MESSAGES.accepted);
    if (state === "accepted") return this.#report(run, "preparing", STATE_MESSAGES.preparing);
    if (state === "ready") return this.#report(run, "starting", STATE_MESSAGES.starting);
    return false;
  }

  /** The task is still wanted here: assigned, desired below shutdown, executor open. */
  #wanted(run: TaskRun): boolean {
    return !run.gone && !this.#closed && run.task !== undefined && compareTaskStates(run.task.DesiredState, "shutdown") < 0;
  }

  /**
   * Pulls the image when it is not here, writes the task's files and creates its container.
   * False when the task stopped being wanted during the pull (nothing was created).
   */
  async #prepare(run: TaskRun, task: Task): Promise<boolean> {
    if (run.containerId && this.#engine.inspect(run.containerId)) return true;
    const spec = containerSpecOf(task);
    let image = this.#engine.resolveImage(spec.Image);
    if (image === undefined) {
      let pullError = "";
      try {
        await this.#engine.pullImage(spec.Image, decodeRegistryAuth(spec.PullOptions?.RegistryAuth));
      } catch (error) {
        pullError = toShoalError(error).message;
        this.#log.warn("pulling image failed", { "task.id": task.ID, image: spec.Image, error: pullError });
      }
      if (!this.#wanted(run)) return false;
      image = this.#engine.resolveImage(spec.Image);
      if (image === undefined) throw new ShoalError("not_found", `No such image: ${spec.Image}${pullError ? ` (pulling it failed: ${pullError})` : ""}`);
    }
    const mounts = this.#files.write(task.ID, spec, this.#available);
    const { name, body } = taskContainerRequest(task, { image, files: mounts });
    let containerId: string;
    try {
      containerId = (await this.#engine.create(name, body)).Id;
    } catch (error) {
      // Created already (by an executor that stopped before recording it): that container is the task's.
      const existing = this.#engine.taskContainers().find((record) => record.Config.Labels[TASK_ID_LABEL] === task.ID);
      if (!existing) {
        this.#files.remove(task.ID);
        throw error;
      }
      containerId = existing.Id;
    }
    this.#attach(run, containerId);
    return true;
  }

  /** Starts the container (creating it first if it went missing); running now, or once its health check passes. */
  async #start(run: TaskRun, task: Task): Promise<boolean> {
    if (!run.containerId || !this.#engine.inspect(run.containerId)) {
      if (!(await this.#prepare(run, task))) return false;
    }
    const id = run.containerId!;
    let record = this.#engine.inspect(id);
    if (record && !hasStarted(record)) {
      try {
        await this.#engine.start(id);
      } catch (error) {
        const failure = toShoalError(error);
        throw new ShoalError(failure.code, `starting container failed: ${failure.message}`, { cause: error });
      }
      record = this.#engine.inspect(id);
    }
    if (!record) throw new ShoalError("not_found", DESTROYED);
    if (record.State.Running && hasHealthcheck(record) && record.State.Health?.Status !== "healthy") return false; // health events move it on
    this.#report(run, "running", STATE_MESSAGES.running);
    if (!record.State.Running) this.#observeExit(run);
    return true;
  }

  /** A running task whose container is gone, or exited unnoticed, is settled now. */
  #checkRunning(run: TaskRun): boolean {
    const record = run.containerId ? this.#engine.inspect(run.containerId) : undefined;
    if (!record) throw new ShoalError("not_found", DESTROYED);
    if (!record.State.Running) this.#observeExit(run);
    return false;
  }

  /**
   * Settles a task whose container exited: complete (0), failed (any other code, or an unhealthy
   * container). `seen` is the container as its `die` event found it (it may be removed since).
   */
  #observeExit(run: TaskRun, seen?: ContainerRecord): void {
    if (run.gone || isTerminalTaskState(run.status.State) || !run.containerId) return;
    const record = this.#engine.inspect(run.containerId) ?? seen;
    if (!record || record.State.Running || !hasStarted(record)) return;
    const code = record.State.ExitCode;
    if (run.unhealthy) {
      this.#report(run, "failed", run.status.Message, code === 0 ? UNHEALTHY : exitError(code, UNHEALTHY), record);
      return;
    }
    if (code !== 0) {
      this.#report(run, "failed", run.status.Message, exitError(code), record);
      return;
    }
    if (compareTaskStates(run.status.State, "running") < 0) this.#report(run, "running", STATE_MESSAGES.running, undefined, record);
    this.#report(run, "complete", STATE_MESSAGES.complete, undefined, record);
  }

  #onContainerEvent(containerId: string, action: string): void {
    const run = this.#byContainer.get(containerId);
    if (!run || this.#closed) return;
    if (action === "die") {
      const seen = this.#engine.inspect(containerId);
      void this.#enqueue(run, () => this.#observeExit(run, seen));
    }
    else if (action === "destroy") void this.#enqueue(run, () => this.#onDestroyed(run, containerId));
    else if (action === "health_status: healthy") void this.#enqueue(run, () => this.#onHealthy(run));
    else if (action === "health_status: unhealthy") void this.#enqueue(run, () => this.#onUnhealthy(run));
  }

  #onHealthy(run: TaskRun): void {
    const record = run.containerId ? this.#engine.inspect(run.containerId) : undefined;
    if (run.gone || run.status.State !== "starting" || !record?.State.Running) return;
    this.#report(run, "running", STATE_MESSAGES.running);
  }

  /** A failed health check stops the container; the exit that follows fails the task. */
  async #onUnhealthy(run: TaskRun): Promise<void> {
    if (run.gone || (run.status.State !== "starting" && run.status.State !== "running")) return;
    run.unhealthy = true;
    this.#log.info("stopping an unhealthy task container", { "task.id": run.id });
    await this.#stopContainer(run);
    this.#observeExit(run);
  }

  #onDestroyed(run: TaskRun, containerId: string): void {
    this.#byContainer.delete(containerId);
    if (run.containerId !== containerId) return;
    run.containerId = undefined;
    if (run.gone || isTerminalTaskState(run.status.State) || compareTaskStates(run.status.State, "ready") < 0) return;
    this.#report(run, "failed", run.status.Message, DESTROYED);
  }

  /** Stops a running container with the task's stop signal and grace period. */
  async #stopContainer(run: TaskRun): Promise<void> {
    const record = run.containerId ? this.#engine.inspect(run.containerId) : undefined;
    if (!record?.State.Running) return;
    const spec = run.task?.Spec.ContainerSpec;
    const graceSeconds = spec?.StopGracePeriod !== undefined ? spec.StopGracePeriod / 1e9 : undefined;
    await this.#engine.stop(record.Id, graceSeconds, spec?.StopSignal || undefined);
  }

  /** A task the managers no longer assign here: its container is stopped and removed, its files too; nothing is reported. */
  #unassign(run: TaskRun): void {
    run.gone = true;
    this.#runs.delete(run.id);
    const removal = this.#enqueue(run, async () => {
      const containerId = run.containerId;
      if (containerId) {
        await this.#stopContainer(run).catch((error) => this.#log.warn("stopping an unassigned task failed", { "task.id": run.id, error: toShoalError(error).message }));
        await this.#engine.remove(containerId);
        this.#byContainer.delete(containerId);
      }
      this.#files.remove(run.id);
      this.#log.debug("unassigned task removed", { "task.id": run.id });
    });
    this.#leaving.set(run.id, removal);
    void removal.finally(() => {
      if (this.#leaving.get(run.id) === removal) this.#leaving.delete(run.id);
    });
  }

  /** A failure before the container started rejects the task; from starting on it fails it (SwarmKit's rule). */
  #fatal(run: TaskRun, error: unknown): void {
    const message = toShoalError(error).message;
    const state: TaskState = compareTaskStates(run.status.State, "starting") < 0 ? "rejected" : "failed";
    this.#log.warn("task failed", { "task.id": run.id, state, error: message });
    this.#report(run, state, run.status.Message, message);
  }

  #timestamp(): string {
    return new Date(this.#clock.now()).toISOString();
  }

  /** Records a new state with the container's status and passes it on; a step back is refused (false). */
  #report(run: TaskRun, state: TaskState, message: string, err?: string, seen?: ContainerRecord): boolean {
    if (compareTaskStates(state, run.status.State) < 0) {
      this.#log.warn("refusing to move a task back", { "task.id": run.id, from: run.status.State, to: state });
      return false;
    }
    const record = (run.containerId ? this.#engine.inspect(run.containerId) : undefined) ?? seen;
    const container = record ? containerStatus(record) : run.status.ContainerStatus;
    const ports = portStatus(run.task, record, state);
    run.status = { Timestamp: this.#timestamp(), State: state, Message: message, ...(err ? { Err: err } : {}), ...(container ? { ContainerStatus: container } : {}), ...(ports ? { PortStatus: ports } : {}) };
    run.known = true;
    this.#log.debug("task state", { "task.id": run.id, state, ...(err ? { error: err } : {}) });
    if (run.gone || this.#closed) return true;
    try {
      this.#listener([{ taskId: run.id, status: run.status }]);
    } catch (error) {
      this.#log.error("task status listener failed", { error: toShoalError(error).message });
    }
    return true;
  }
}
