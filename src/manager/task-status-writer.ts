import { ShoalError, toShoalError, type Clock, type Logger, type Timer } from "../lib/index.ts";
import type { ClusterStore } from "../store/index.ts";
import { compareTaskStates, type TaskStatus } from "../types/index.ts";

/** Reports queued before a write is forced (SwarmKit: 10,000). */
export const MAX_QUEUED_REPORTS = 10_000;
/** How long reports wait to be written together (SwarmKit: 100 ms; shorter here: each task start waits on it). */
export const STATUS_BATCH_MS = 50;

interface QueuedReport {
  nodeId: string;
  status: TaskStatus;
}

/**
 * Writes the task status changes agents report (SwarmKit's dispatcher `processUpdates`): reports
 * are queued and written together, at most every {@link STATUS_BATCH_MS} or at once past
 * {@link MAX_QUEUED_REPORTS}, in one store transaction. A report is taken only from the node the
 * task is assigned to, and only when it moves the task's observed state forward (or updates it in
 * place, e.g. a container ID while still `starting`); reports of unknown tasks are dropped quietly.
 * A batch that cannot be written (leadership lost, the proposal refused) fails the calls that gave
 * its reports, as do reports reaching a stopped writer: the agents keep them and report again.
 */
export class TaskStatusWriter {
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  /** Task ID → its latest report (later ones replace earlier ones in the same batch). */
  #queue = new Map<string, QueuedReport>();
  #timer: Timer | null = null;
  /** Settled when the queued reports have been written. */
  #batch: PromiseWithResolvers<void> | null = null;
  #writing: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(options: { store: ClusterStore; clock: Clock; logger: Logger }) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "dispatcher" });
  }

  /** Queues the reports of `nodeId`; resolves once the batch holding them has been written, rejects when it could not be. */
  report(nodeId: string, reports: readonly { taskId: string; status: TaskStatus }[]): Promise<void> {
    if (this.#stopped) return Promise.reject(stoppedError());
    for (const report of reports) this.#queue.set(report.taskId, { nodeId, status: report.status });
    if (!this.#batch) {
      this.#batch = Promise.withResolvers<void>();
      this.#timer = this.#clock.setTimeout(() => void this.flush(), STATUS_BATCH_MS);
    }
    const written = this.#batch.promise;
    if (this.#queue.size >= MAX_QUEUED_REPORTS) void this.flush();
    return written;
  }

  /** Writes what is queued now. */
  flush(): Promise<void> {
    this.#timer?.cancel();
    this.#timer = null;
    const batch = this.#batch;
    this.#batch = null;
    const queued = this.#queue;
    this.#queue = new Map();
    if (this.#stopped) {
      batch?.reject(stoppedError());
      return this.#writing;
    }
    if (queued.size === 0) {
      batch?.resolve();
      return this.#writing;
    }
    const written = this.#writing.then(() => this.#write(queued));
    written.then(
      () => batch?.resolve(),
      (error) => batch?.reject(error),
    );
    // The next batch waits for this one however it ended.
    this.#writing = written.catch(() => {});
    return this.#writing;
  }

  /** Writes nothing more: what is queued is dropped and its callers told to report again elsewhere. */
  stop(): void {
    this.#stopped = true;
    this.#timer?.cancel();
    this.#timer = null;
    this.#queue.clear();
    this.#batch?.reject(stoppedError());
    this.#batch = null;
  }

  async #write(batch: Map<string, QueuedReport>): Promise<void> {
    try {
      await this.#store.update((tx) => {
        for (const [taskId, { nodeId, status }] of batch) {
          const task = tx.get("tasks", taskId);
          if (!task || task.NodeID !== nodeId) continue;
          const order = compareTaskStates(status.State, task.Status.State);
          if (order < 0) continue;
          if (order === 0 && JSON.stringify(status) === JSON.stringify(task.Status)) continue;
          tx.update("tasks", { ...task, Status: status });
        }
      });
    } catch (error) {
      const failure = toShoalError(error);
      this.#log.warn("cannot write task status reports; the agents report again", { reports: batch.size, error: failure.message });
      throw new ShoalError("unavailable", `the task status reports could not be written; report them again (${failure.message})`, { cause: error });
    }
  }
}

function stoppedError(): ShoalError {
  return new ShoalError("unavailable", "this manager no longer writes task status reports (it stopped leading); report them to the leader");
}
