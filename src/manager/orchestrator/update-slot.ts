import type { Clock } from "../../lib/index.ts";
import type { ClusterStore, SwarmTables, WriteTx } from "../../store/index.ts";
import { compareTaskStates, type Service, type Task, type UpdateConfig } from "../../types/index.ts";
import type { FailureMonitor } from "./update-failures.ts";
import type { Slot } from "./service-updater.ts";
import { isTaskDirty } from "./task-dirty.ts";
import { abortable, waitForTask } from "./update-waits.ts";
import { createReplacement, shutDownTasks } from "./update-writes.ts";

/** What replacing one slot needs from the update it belongs to. */
export interface SlotUpdateContext {
  store: ClusterStore;
  clock: Clock;
  /** The service as the update started: the spec the slot must reach. */
  service: Service;
  order: UpdateConfig["Order"];
  failures: FailureMonitor;
  /** Aborted when the update is cancelled: waits end, nothing more is written. */
  signal: AbortSignal;
  /**
   * Writes through the store unless the update was cancelled or the service's spec changed (then
   * resolves undefined and writes nothing); `fn` gets the service as stored.
   */
  write<R>(fn: (tx: WriteTx<SwarmTables>, service: Service) => R): Promise<R | undefined>;
  /** Sets a replacement created with desired state `ready` running once the rest of its slot stopped. */
  startWhenSlotStops(task: Task): Promise<void>;
}

/**
 * Brings one slot to the service's spec (SwarmKit's updater worker): a task of the slot that already
 * has the spec is kept and the others are shut down; otherwise a new task replaces them, stop-first
 * (the old tasks are asked to stop and the new one, created `ready`, starts once they stopped) or
 * start-first (the new task starts at once; the old ones stop once it runs). Returns once the new
 * task runs (or stopped, or the update was cancelled).
 */
export async function updateSlot(ctx: SlotUpdateContext, slot: Slot): Promise<void> {
  const clean = slot.filter((task) => !isTaskDirty(ctx.service, task));
  const keep = clean.find((task) => task.DesiredState === "running") ?? clean.find((task) => compareTaskStates(task.DesiredState, "running") < 0);
  if (keep) {
    await ctx.write((tx) => shutDownTasks(tx, slot, keep.ID));
    if (keep.DesiredState !== "running") await abortable(ctx.startWhenSlotStops(keep), ctx.signal);
    return;
  }
  const startFirst = ctx.order === "start-first";
  const now = new Date(ctx.clock.now()).toISOString();
  const created = await ctx.write((tx, service) => {
    if (!startFirst) shutDownTasks(tx, slot);
    const task = createReplacement(tx, service, slot, startFirst ? "running" : "ready", now);
    ctx.failures.track(task.ID);
    return task;
  });
  if (!created) return;
  if (!startFirst) await abortable(ctx.startWhenSlotStops(created), ctx.signal);
  if (ctx.signal.aborted) return;
  const seen = await waitForTask(ctx.store, created.ID, (task) => !task || hasRunOrStopped(task), ctx.signal);
  if (!seen || compareTaskStates(seen.Status.State, "running") < 0) return;
  ctx.failures.started(seen.ID);
  if (startFirst && seen.Status.State === "running") await ctx.write((tx) => shutDownTasks(tx, slot));
}

/** True once a task got to running or beyond, or was told to stop (then it may never run). */
function hasRunOrStopped(task: Task): boolean {
  return compareTaskStates(task.Status.State, "running") >= 0 || compareTaskStates(task.DesiredState, "running") > 0;
}
