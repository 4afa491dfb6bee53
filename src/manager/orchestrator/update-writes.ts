import { ShoalError } from "../../lib/index.ts";
import type { ClusterStore, SwarmTables, WriteTx } from "../../store/index.ts";
import { compareTaskStates, type Service, type Task, type UpdateStatus } from "../../types/index.ts";
import { newGlobalTask, newReplicatedTask } from "./new-task.ts";
import type { Slot } from "./service-updater.ts";

type Tx = WriteTx<SwarmTables>;

/** How often a write that lost a race (another proposal changed the object first) is tried. */
const WRITE_ATTEMPTS = 3;

/**
 * Runs `fn` in a store write, again (up to {@link WRITE_ATTEMPTS} times) when it is refused because
 * another write landed first; `fn` reads what it changes inside the transaction, so a retry sees the
 * newer objects.
 */
export async function writeWithRetry<R>(store: ClusterStore, fn: (tx: Tx) => R): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await store.update(fn);
    } catch (error) {
      if (!(error instanceof ShoalError && error.code === "sequence_conflict") || attempt >= WRITE_ATTEMPTS) throw error;
    }
  }
}

/** True for a service whose tasks are one per node (global service or global job). */
export function isGlobal(service: Service): boolean {
  return "Global" in service.Spec.Mode || "GlobalJob" in service.Spec.Mode;
}

/**
 * Asks each of `tasks` that is still meant to run (read again in `tx`) to shut down, except
 * `keepId`. Returns the IDs it changed.
 */
export function shutDownTasks(tx: Tx, tasks: readonly Task[], keepId?: string): string[] {
  const changed: string[] = [];
  for (const { ID } of tasks) {
    const task = tx.get("tasks", ID);
    if (!task || ID === keepId || compareTaskStates(task.DesiredState, "running") > 0) continue;
    tx.update("tasks", { ...task, DesiredState: "shutdown" });
    changed.push(ID);
  }
  return changed;
}

/** Creates the task that replaces `slot`, with `service`'s current template, desired `desiredState`. */
export function createReplacement(tx: Tx, service: Service, slot: Slot, desiredState: "ready" | "running", now: string): Task {
  const first = slot[0];
  if (!first) throw new ShoalError("internal", "an empty slot has nothing to replace");
  let task: Task;
  if (isGlobal(service)) {
    if (!first.NodeID) throw new ShoalError("internal", `task ${first.ID} of global service ${service.ID} has no node`);
    task = newGlobalTask(service, first.NodeID, now);
  } else {
    if (first.Slot === undefined) throw new ShoalError("internal", `task ${first.ID} of replicated service ${service.ID} has no slot`);
    task = newReplicatedTask(service, first.Slot, now);
  }
  return tx.create("tasks", { ...task, DesiredState: desiredState });
}

/** Lets a replacement created with desired state `ready` start. False when it is gone or was meanwhile told to run or stop. */
export function startTask(tx: Tx, taskId: string): boolean {
  const task = tx.get("tasks", taskId);
  if (!task || compareTaskStates(task.DesiredState, "running") >= 0) return false;
  tx.update("tasks", { ...task, DesiredState: "running" });
  return true;
}

/** Writes `status` as the service's `UpdateStatus`. */
export function setUpdateStatus(tx: Tx, service: Service, status: UpdateStatus): void {
  tx.update("services", { ...service, UpdateStatus: status });
}

/**
 * Rolls the service back (SwarmKit's `rollbackUpdate`): `Spec` ← `PreviousSpec`, no previous spec
 * left, `status` recorded. False (nothing written) when there is no previous spec.
 */
export function rollBackSpec(tx: Tx, service: Service, status: UpdateStatus): boolean {
  const { PreviousSpec: previous, ...rest } = service;
  if (!previous) return false;
  tx.update("services", { ...rest, Spec: previous, UpdateStatus: status });
  return true;
}
