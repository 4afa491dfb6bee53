/**
 * What the dispatcher and a node's agent exchange about tasks (SwarmKit's `Assignments` and
 * `UpdateTaskStatus`), shared by both sides.
 */
import type { Task, TaskStatus } from "./swarm-task.ts";

/** One observed change of a task, reported by the node that runs it. */
export interface TaskStatusReport {
  taskId: string;
  status: TaskStatus;
}

/** A secret or config a node's tasks use, as the dispatcher sends it (data in clear, over mutual TLS). */
export interface AssignedFile {
  ID: string;
  kind: "secret" | "config";
  name: string;
  data: Uint8Array;
}

/**
 * One message of the assignments stream. The first is `complete` (everything the node has: tasks
 * assigned to it, and the secrets and configs those tasks use); later ones are `incremental`
 * changes to apply to the set held.
 */
export interface AssignmentsMessage {
  type: "complete" | "incremental";
  /** Tasks new to the node or changed by the managers (desired state, spec); the agent's own status reports are not echoed. */
  updateTasks: Task[];
  /** IDs of tasks no longer assigned to the node. */
  removeTasks: string[];
  updateFiles: AssignedFile[];
  /** IDs of secrets and configs the node's tasks no longer use. */
  removeFiles: string[];
}
