import type { UpdateStatus } from "../../types/index.ts";

/** `UpdateStatus.Message` while an update runs (SwarmKit's words, as are the others here). */
export const UPDATE_IN_PROGRESS = "update in progress";
/** `UpdateStatus.Message` once every slot runs the new spec and the monitor period passed. */
export const UPDATE_COMPLETED = "update completed";
/** `UpdateStatus.Message` once a rollback finished. */
export const ROLLBACK_COMPLETED = "rollback completed";

/** The message of an update paused by failures (`rollback paused …` when the rollback itself failed). */
export function pausedMessage(taskId: string, rollingBack: boolean): string {
  return `${rollingBack ? "rollback" : "update"} paused due to failure or early termination of task ${taskId}`;
}

/** The message of an update that failures turned into a rollback (`--update-failure-action rollback`). */
export function rolledBackMessage(taskId: string): string {
  return `update rolled back due to failure or early termination of task ${taskId}`;
}

/** True while an update or rollback is under way: its run writes the completion. */
export function isUnderway(status: UpdateStatus | undefined): boolean {
  return status?.State === "updating" || status?.State === "rollback_started";
}

/** True for a paused update or rollback: nothing happens until the spec changes again. */
export function isPaused(status: UpdateStatus | undefined): boolean {
  return status?.State === "paused" || status?.State === "rollback_paused";
}

/** True while a rollback runs: it follows `RollbackConfig` and is never rolled back itself. */
export function isRollingBack(status: UpdateStatus | undefined): boolean {
  return status?.State === "rollback_started";
}

/** The status of an update that starts now. */
export function startedStatus(now: string): UpdateStatus {
  return { State: "updating", StartedAt: now, Message: UPDATE_IN_PROGRESS };
}

/** `status` paused because of task `taskId`. */
export function pausedStatus(status: UpdateStatus, taskId: string): UpdateStatus {
  const rollingBack = isRollingBack(status);
  return { ...status, State: rollingBack ? "rollback_paused" : "paused", Message: pausedMessage(taskId, rollingBack) };
}

/** `status` turned into a rollback because of task `taskId`. */
export function rollbackStartedStatus(status: UpdateStatus, taskId: string): UpdateStatus {
  return { ...status, State: "rollback_started", Message: rolledBackMessage(taskId) };
}

/** `status` (an update or a rollback) completed now. */
export function completedStatus(status: UpdateStatus, now: string): UpdateStatus {
  return isRollingBack(status)
    ? { ...status, State: "rollback_completed", Message: ROLLBACK_COMPLETED, CompletedAt: now }
    : { ...status, State: "completed", Message: UPDATE_COMPLETED, CompletedAt: now };
}
