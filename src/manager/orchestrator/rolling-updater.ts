import { isDeepStrictEqual } from "node:util";
import { toShoalError, type Clock, type Logger } from "../../lib/index.ts";
import type { ClusterStore } from "../../store/index.ts";
import type { Service, Task } from "../../types/index.ts";
import type { ServiceUpdater, Slot } from "./service-updater.ts";
import { UpdateRun } from "./update-run.ts";
import { OLD_TASK_TIMEOUT_MS, waitForSlotToStop } from "./update-waits.ts";
import { startTask, writeWithRetry } from "./update-writes.ts";

/** What a {@link RollingUpdater} works with. */
export interface RollingUpdaterOptions {
  store: ClusterStore;
  clock: Clock;
  logger: Logger;
}

/** A stop-first replacement waiting for the rest of its slot to stop. */
interface PendingStart {
  serviceId: string;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * The manager's rolling updater (SwarmKit's `update.Supervisor`): at most one {@link UpdateRun} per
 * service; a call with another spec cancels the running one and starts anew, a call with the same
 * spec leaves it alone. The run's state lives in the store (`UpdateStatus`, the tasks), so a new
 * leader's updater called with the same service carries on: updated slots are clean and skipped,
 * `updating` is not restarted, a paused update stays paused until the spec changes.
 *
 * ```
 * update(service, slots)                     (the orchestrators, whenever they find dirty slots)
 *   └─ UpdateRun: UpdateStatus updating "update in progress" (rollback_started: RollbackConfig)
 *        └─ parallelism workers, each: updateSlot → wait for the new task to run → Delay
 *             stop-first: old tasks desired shutdown + new task desired ready, in one write;
 *                         the new one set running once the old ones are observed stopped
 *             start-first: new task desired running; the old ones shut down once it runs
 *        └─ failure watch: a new task that stops unasked before/within Monitor of running
 *             counts; failures / slots > MaxFailureRatio → pause, or rollback (Spec ← PreviousSpec)
 *        └─ Monitor after the last slot → completed "update completed" / "rollback completed"
 * ```
 */
export class RollingUpdater implements ServiceUpdater {
  readonly #store: ClusterStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #runs = new Map<string, UpdateRun>();
  readonly #running = new Set<Promise<void>>();
  /** Task ID → its delayed start: kept beyond the run that asked for it (a paused or superseded run leaves no slot empty). */
  readonly #starts = new Map<string, PendingStart>();
  #stopped = false;

  constructor(options: RollingUpdaterOptions) {
    this.#store = options.store;
    this.#clock = options.clock;
    this.#log = options.logger.with({ module: "updater" });
  }

  update(service: Service, slots: readonly Slot[]): void {
    if (this.#stopped) {
      this.#log.warn("update ignored: this updater was stopped (leadership lost); a new term needs a new RollingUpdater", { "service.id": service.ID });
      return;
    }
    const current = this.#runs.get(service.ID);
    if (current && isDeepStrictEqual(current.spec, service.Spec)) return;
    current?.cancel();
    const run = new UpdateRun({ store: this.#store, clock: this.#clock, logger: this.#log, startWhenSlotStops: (task) => this.#startWhenSlotStops(task) }, service, slots);
    this.#runs.set(service.ID, run);
    const done: Promise<void> = run
      .run()
      .catch((error: unknown) => this.#log.error("update failed", { "service.id": service.ID, error: toShoalError(error).message }))
      .finally(() => {
        if (this.#runs.get(service.ID) === run) this.#runs.delete(service.ID);
        this.#running.delete(done);
      });
    this.#running.add(done);
  }

  cancel(serviceId: string): void {
    this.#runs.get(serviceId)?.cancel();
    this.#runs.delete(serviceId);
    for (const start of this.#starts.values()) if (start.serviceId === serviceId) start.abort.abort();
  }

  /** Stops every update and pending start for good (leadership lost): later calls are ignored. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const run of this.#runs.values()) run.cancel();
    this.#runs.clear();
    for (const start of this.#starts.values()) start.abort.abort();
    await Promise.all([...this.#running, ...[...this.#starts.values()].map((start) => start.done)]);
  }

  /** Sets `task` (desired `ready`) running once no other task of its slot may still run, or after SwarmKit's old-task timeout. */
  #startWhenSlotStops(task: Task): Promise<void> {
    const known = this.#starts.get(task.ID);
    if (known) return known.done;
    const abort = new AbortController();
    const log = this.#log.with({ "service.id": task.ServiceID, "task.id": task.ID });
    const done = (async () => {
      if (!(await waitForSlotToStop(this.#store, this.#clock, task, OLD_TASK_TIMEOUT_MS, abort.signal))) return;
      await writeWithRetry(this.#store, (tx) => !abort.signal.aborted && startTask(tx, task.ID));
    })()
      .catch((error: unknown) => log.error("starting the replacement task failed", { error: toShoalError(error).message }))
      .finally(() => this.#starts.delete(task.ID));
    this.#starts.set(task.ID, { serviceId: task.ServiceID, abort, done });
    return done;
  }
}
