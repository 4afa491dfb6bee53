import type { Clock } from "../../lib/index.ts";
import type { ClusterStore, ReadTx, SwarmTables } from "../../store/index.ts";
import { compareTaskStates, type Task } from "../../types/index.ts";

/** How long a stop-first replacement waits for the tasks it replaces to stop before it starts anyway (SwarmKit's old-task timeout). */
export const OLD_TASK_TIMEOUT_MS = 60_000;

/** Waits `ms` on `clock`; false when `signal` aborted first. */
export function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      timer.cancel();
      resolve(false);
    };
    const timer = clock.setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** `promise`'s value, or undefined as soon as `signal` aborts (the promise goes on unobserved). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Waits until `until` holds for task `taskId` (given undefined once the task is gone); resolves
 * with the task as it then is, or undefined when it was deleted or `signal` aborted.
 */
export async function waitForTask(store: ClusterStore, taskId: string, until: (task: Task | undefined) => boolean, signal: AbortSignal): Promise<Task | undefined> {
  const watch = store.watch({ table: "tasks", filter: (event) => event.kind !== "commit" && event.object.ID === taskId, signal });
  try {
    const now = store.view((tx) => tx.get("tasks", taskId));
    if (until(now)) return now;
    for await (const event of watch) {
      if (event.kind === "commit") continue;
      const task = event.kind === "delete" ? undefined : event.object;
      if (until(task)) return task;
    }
    return undefined;
  } finally {
    watch.close();
  }
}

/** Every task of the slot `task` belongs to: same service and slot number, or same node for a global service. */
export function slotTasks(tx: ReadTx<SwarmTables>, task: Task): Task[] {
  if (task.Slot !== undefined) return tx.find("tasks", { index: "slot", key: `${task.ServiceID}/${task.Slot}` });
  if (!task.NodeID) return [];
  return tx.find("tasks", { index: "node", key: task.NodeID }).filter((other) => other.ServiceID === task.ServiceID);
}

/**
 * The other tasks of `task`'s slot that may still be running: observed at running or before, on a
 * node that is there and not down (a task never scheduled runs nowhere).
 */
export function tasksStillRunning(tx: ReadTx<SwarmTables>, task: Task): Task[] {
  return slotTasks(tx, task).filter((other) => {
    if (other.ID === task.ID || compareTaskStates(other.Status.State, "running") > 0 || !other.NodeID) return false;
    const node = tx.get("nodes", other.NodeID);
    return node !== undefined && node.Status.State !== "down";
  });
}

/**
 * Waits until no other task of `task`'s slot may still run (see {@link tasksStillRunning}), or
 * `timeoutMs` passed. False when `signal` aborted first.
 */
export async function waitForSlotToStop(store: ClusterStore, clock: Clock, task: Task, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const watch = store.watch({
    table: ["tasks", "nodes"],
    filter: (event) => event.kind !== "commit" && (event.table === "nodes" || event.object.ServiceID === task.ServiceID),
    signal,
  });
  const timer = clock.setTimeout(() => watch.close(), timeoutMs);
  try {
    if (store.view((tx) => tasksStillRunning(tx, task)).length === 0) return true;
    for await (const _event of watch) {
      if (store.view((tx) => tasksStillRunning(tx, task)).length === 0) return true;
    }
    return !signal.aborted;
  } finally {
    timer.cancel();
    watch.close();
  }
}
