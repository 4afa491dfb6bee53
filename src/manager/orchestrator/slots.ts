import { compareTaskStates, isTerminalTaskState, type Service, type Task } from "../../types/index.ts";
import type { Slot } from "./service-updater.ts";
import { isTaskDirty } from "./task-dirty.ts";

/** True while the orchestrator still wants `task` to run (desired state running or before: ready for a delayed restart). */
export function isRunnable(task: Task): boolean {
  return compareTaskStates(task.DesiredState, "running") <= 0;
}

/** True when `task` stopped one way or another (its observed state is past running). */
export function hasStopped(task: Task): boolean {
  return isTerminalTaskState(task.Status.State);
}

/** True when `task` never reached a node's agent (still new, pending or without a node). */
export function neverAssigned(task: Task): boolean {
  return compareTaskStates(task.Status.State, "assigned") < 0;
}

/** Groups tasks by a key (slot number, node ID), keeping their order. */
export function groupTasks<K>(tasks: readonly Task[], keyOf: (task: Task) => K | undefined): Map<K, Task[]> {
  const groups = new Map<K, Task[]>();
  for (const task of tasks) {
    const key = keyOf(task);
    if (key === undefined) continue;
    const group = groups.get(key);
    if (group) group.push(task);
    else groups.set(key, [task]);
  }
  return groups;
}

/** The time a task's status was last reported (ms), the order `service ps` and the reaper go by. */
export function statusTime(task: Task): number {
  const at = Date.parse(task.Status.Timestamp || task.CreatedAt);
  return Number.isNaN(at) ? 0 : at;
}

/** The most recently reported task of a non-empty group. */
export function newestTask(tasks: readonly Task[]): Task {
  return tasks.reduce((newest, task) => (statusTime(task) > statusTime(newest) ? task : newest));
}

/**
 * True when a slot needs the updater (SwarmKit's `isSlotDirty`): one of its tasks runs an outdated
 * template, or it holds more than one task (what a start-first update leaves when interrupted).
 */
export function isSlotDirty(service: Service, slot: Slot): boolean {
  return slot.length > 1 || (slot.length === 1 && isTaskDirty(service, slot[0]!));
}
