import type { SwarmTables, WriteTx } from "../../store/index.ts";
import { compareTaskStates } from "../../types/index.ts";

/** Moves a task's desired state forward to `state` (never back; a deleted task is left alone). */
export function setDesiredState(tx: WriteTx<SwarmTables>, taskId: string, state: "shutdown" | "complete" | "remove"): void {
  const task = tx.get("tasks", taskId);
  if (task && compareTaskStates(task.DesiredState, state) < 0) tx.update("tasks", { ...task, DesiredState: state });
}
