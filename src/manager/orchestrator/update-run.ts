import { isDeepStrictEqual } from "node:util";
import { toShoalError, type Clock, type Logger } from "../../lib/index.ts";
import type { ClusterStore, StoreWatch, SwarmTables, WriteTx } from "../../store/index.ts";
import { compareTaskStates, isTerminalTaskState, type Service, type ServiceSpec, type Task } from "../../types/index.ts";
import type { Slot } from "./service-updater.ts";
import { isTaskDirty } from "./task-dirty.ts";
import { updatePlan, type UpdatePlan } from "./update-config.ts";
import { FailureMonitor } from "./update-failures.ts";
import { updateSlot, type SlotUpdateContext } from "./update-slot.ts";
import { completedStatus, isPaused, isRollingBack, isUnderway, pausedStatus, rollbackStartedStatus, startedStatus } from "./update-status.ts";
import { sleep } from "./update-waits.ts";
import { rollBackSpec, setUpdateStatus, writeWithRetry } from "./update-writes.ts";

/** What an {@link UpdateRun} works with. */
export interface UpdateRunDeps {
  store: ClusterStore;
  clock: Clock;
  logger: Logger;
  /** Sets a stop-first replacement running once the rest of its slot stopped; outlives the run. */
  startWhenSlotStops(task: Task): Promise<void>;
}

/**
 * One rolling update (or rollback) of one service to one spec (SwarmKit's `Updater.Run`): marks the
 * update started, replaces the dirty slots with `parallelism` workers (each waits `delay` before its
 * next slot), counts the failures of the new tasks and applies the failure action, watches the last
 * tasks for the monitor period, then marks the update completed. A cancelled run writes nothing more.
 */
export class UpdateRun {
  readonly #deps: UpdateRunDeps;
  readonly #log: Logger;
  readonly #service: Service;
  readonly #slots: readonly Slot[];
  /** Aborted by {@link cancel}: every wait ends and nothing more is written. */
  readonly #cancel = new AbortController();
  /** Aborted by {@link cancel} or a failure action: no more slots, no more monitoring. */
  readonly #halt = new AbortController();

  constructor(deps: UpdateRunDeps, service: Service, slots: readonly Slot[]) {
    this.#deps = deps;
    this.#service = service;
    this.#slots = slots;
    this.#log = deps.logger.with({ "service.id": service.ID });
  }

  /** The spec this run brings the service to. */
  get spec(): ServiceSpec {
    return this.#service.Spec;
  }

  /** Stops the run: waits end, nothing more is written (a newer update took over, or the service is gone). */
  cancel(): void {
    this.#cancel.abort();
    this.#halt.abort();
  }

  /** Carries the update out; resolves when it completed, paused, rolled back or was cancelled. */
  async run(): Promise<void> {
    const stored = this.#deps.store.view((tx) => tx.get("services", this.#service.ID));
    // A caller holding an older spec than the store's: its next call brings the current one.
    if (!stored || !isDeepStrictEqual(stored.Spec, this.#service.Spec)) return;
    const status = stored.UpdateStatus;
    if (isPaused(status)) return;
    const dirty = this.#slots.filter((slot) => slot.length > 1 || (slot.length === 1 && isTaskDirty(this.#service, slot[0]!)));
    if (dirty.length === 0) {
      if (isUnderway(status)) await this.#complete();
      return;
    }
    if (status === undefined) await this.#start();
    const rollingBack = isRollingBack(status);
    const plan = updatePlan(this.#service.Spec, rollingBack, dirty.length);
    this.#log.info(rollingBack ? "rolling back service" : "updating service", { slots: dirty.length, parallelism: plan.parallelism, order: plan.order });
    const failures = new FailureMonitor(this.#deps.clock, { monitorMs: plan.monitorMs, slots: dirty.length, maxFailureRatio: plan.maxFailureRatio });
    const watching = plan.failureAction === "continue" ? null : this.#watchFailures(failures, plan, rollingBack);
    try {
      await this.#replace(dirty, plan, failures);
      // The last tasks get their monitor period too before the update counts as done.
      if (!(await sleep(this.#deps.clock, plan.monitorMs, this.#halt.signal))) return;
      await this.#complete();
      this.#log.info(rollingBack ? "rollback completed" : "update completed", { failures: failures.failures });
    } finally {
      watching?.watch.close();
      await watching?.done;
    }
  }

  /** Hands the slots to `parallelism` workers; each waits `delay` after a slot when more remain. */
  async #replace(slots: readonly Slot[], plan: UpdatePlan, failures: FailureMonitor): Promise<void> {
    const queue = [...slots];
    const context: SlotUpdateContext = {
      store: this.#deps.store,
      clock: this.#deps.clock,
      service: this.#service,
      order: plan.order,
      failures,
      signal: this.#cancel.signal,
      write: (fn) => this.#write(fn),
      startWhenSlotStops: (task) => this.#deps.startWhenSlotStops(task),
    };
    const worker = async () => {
      for (let slot = queue.shift(); slot && !this.#halt.signal.aborted; slot = queue.shift()) {
        try {
          await updateSlot(context, slot);
        } catch (error) {
          this.#log.error("slot update failed", { "task.id": slot[0]?.ID ?? "", error: toShoalError(error).message });
        }
        if (queue.length > 0 && plan.delayMs > 0 && !(await sleep(this.#deps.clock, plan.delayMs, this.#halt.signal))) return;
      }
    };
    await Promise.all(Array.from({ length: plan.parallelism }, worker));
  }

  /**
   * Follows the service's tasks that stop without being asked to (observed past running while
   * still desired running); once the failures exceed the ratio, halts the run and applies the
   * failure action. `done` settles when the watch ended and the action (if any) was written.
   */
  #watchFailures(failures: FailureMonitor, plan: UpdatePlan, rollingBack: boolean): { watch: StoreWatch<unknown>; done: Promise<void> } {
    const watch = this.#deps.store.watch({
      table: "tasks",
      kinds: ["update"],
      filter: (event) =>
        event.kind === "update" &&
        event.object.ServiceID === this.#service.ID &&
        isTerminalTaskState(event.object.Status.State) &&
        !isTerminalTaskState(event.oldObject.Status.State) &&
        compareTaskStates(event.object.DesiredState, "running") <= 0,
      signal: this.#halt.signal,
    });
    const done = (async () => {
      for await (const event of watch) {
        if (event.kind !== "update" || !failures.failed(event.object.ID)) continue;
        this.#halt.abort();
        await this.#failureAction(event.object.ID, plan, rollingBack);
        return;
      }
    })().catch((error: unknown) => this.#log.error("watching the update's tasks failed", { error: toShoalError(error).message }));
    return { watch, done };
  }

  /** Pauses the update, or rolls it back (a failing rollback pauses: a rollback is never rolled back). */
  async #failureAction(taskId: string, plan: UpdatePlan, rollingBack: boolean): Promise<void> {
    if (plan.failureAction === "rollback" && !rollingBack) {
      this.#log.warn("update failed, rolling back", { "task.id": taskId });
      const rolledBack = await this.#write((tx, service) => rollBackSpec(tx, service, rollbackStartedStatus(service.UpdateStatus ?? startedStatus(this.#now()), taskId)));
      if (rolledBack !== false) return;
      this.#log.warn("cannot roll back: the service has no previous spec; pausing instead", { "task.id": taskId });
    }
    this.#log.warn(rollingBack ? "rollback paused" : "update paused", { "task.id": taskId });
    await this.#write((tx, service) => setUpdateStatus(tx, service, pausedStatus(service.UpdateStatus ?? startedStatus(this.#now()), taskId)));
  }

  /** Records that an update starts now, unless the service already has an update status. */
  async #start(): Promise<void> {
    await this.#write((tx, service) => {
      if (service.UpdateStatus === undefined) setUpdateStatus(tx, service, startedStatus(this.#now()));
    });
  }

  /** Records that the update (or rollback) under way completed. */
  async #complete(): Promise<void> {
    await this.#write((tx, service) => {
      if (isUnderway(service.UpdateStatus)) setUpdateStatus(tx, service, completedStatus(service.UpdateStatus!, this.#now()));
    });
  }

  /** A store write that happens only while the run is not cancelled and the stored spec is still the run's. */
  async #write<R>(fn: (tx: WriteTx<SwarmTables>, service: Service) => R): Promise<R | undefined> {
    try {
      return await writeWithRetry(this.#deps.store, (tx) => {
        if (this.#cancel.signal.aborted) return undefined;
        const service = tx.get("services", this.#service.ID);
        if (!service || !isDeepStrictEqual(service.Spec, this.#service.Spec)) return undefined;
        return fn(tx, service);
      });
    } catch (error) {
      this.#log.error("update write failed", { error: toShoalError(error).message });
      return undefined;
    }
  }

  #now(): string {
    return new Date(this.#deps.clock.now()).toISOString();
  }
}
