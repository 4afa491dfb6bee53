/**
 * Task states, as SwarmKit (`api/types.proto`, `design/task_model.md`) orders them. The observed
 * state (`Status.State`) only moves forward, and each step has one owner:
 *
 * | state     | set by                                                   |
 * |-----------|----------------------------------------------------------|
 * | new       | orchestrator (creates the task; it owns `DesiredState`)  |
 * | pending   | allocator (networks and VIPs allocated)                  |
 * | assigned  | scheduler (a node is chosen)                             |
 * | accepted  | agent (the node took the task)                           |
 * | preparing | agent (pulling the image, creating the container)        |
 * | ready     | agent (created, not started)                             |
 * | starting  | agent                                                    |
 * | running   | agent                                                    |
 * | complete  | agent (exited 0)                                         |
 * | shutdown  | agent (stopped on request)                               |
 * | failed    | agent (exited non-zero, or could not start)              |
 * | rejected  | agent or constraint enforcers (cannot run on this node)  |
 * | remove    | orchestrator (desired state only: delete once shut down) |
 * | orphaned  | dispatcher (its node stayed down too long)               |
 *
 * The task reaper deletes tasks past the history limit and tasks whose desired state is `remove`.
 */

/** Every task state, in order. */
export const TASK_STATES = [
  "new",
  "pending",
  "assigned",
  "accepted",
  "preparing",
  "ready",
  "starting",
  "running",
  "complete",
  "shutdown",
  "failed",
  "rejected",
  "remove",
  "orphaned",
] as const;

/** A task state (lowercase, as the Engine API prints it). */
export type TaskState = (typeof TASK_STATES)[number];

/** Negative when `a` comes before `b`, zero when equal, positive after. */
export function compareTaskStates(a: TaskState, b: TaskState): number {
  return TASK_STATES.indexOf(a) - TASK_STATES.indexOf(b);
}

/** True for the states a task never leaves (it has stopped one way or another). */
export function isTerminalTaskState(state: TaskState): boolean {
  return compareTaskStates(state, "running") > 0;
}

/** True when `value` is a task state. */
export function isTaskState(value: unknown): value is TaskState {
  return typeof value === "string" && (TASK_STATES as readonly string[]).includes(value);
}
