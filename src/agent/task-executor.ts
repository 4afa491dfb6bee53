import type { AssignedFile, LogOptions, Task, TaskLogLine, TaskStatusReport } from "../types/index.ts";

export type { AssignedFile, TaskStatusReport } from "../types/index.ts";

/**
 * What the agent asks of the node's engine (SwarmKit's `exec.Executor` + the agent's worker): keep
 * the node's containers matching the tasks the managers assigned to it. The agent calls
 * {@link TaskExecutor.reconcile} with the complete set after every assignments message; the
 * executor starts what should run (pull, create, start), stops what should not (desired state
 * beyond running, or no longer assigned: then it removes the container too) and reports every
 * observed state change through the listener given to {@link TaskExecutor.onStatus}.
 */
export interface TaskExecutor {
  /**
   * The complete set of tasks assigned to this node and the secrets/configs they use. Returns at
   * once; the work happens in the background, one task's steps in order, tasks independently.
   */
  reconcile(tasks: readonly Task[], files: readonly AssignedFile[]): void;
  /** Where status changes go (one listener; the agent batches them). */
  onStatus(listener: (reports: TaskStatusReport[]) => void): void;
  /** The last status of every task the executor knows, for re-reporting after a new session. */
  statuses(): TaskStatusReport[];
  /**
   * The log of a task's container (docker's `--tail` per task, `--since`, follow until `signal`),
   * or null when this node has no container for the task.
   */
  logs(taskId: string, options: LogOptions, signal: AbortSignal): AsyncIterable<TaskLogLine> | null;
  /** Stops watching; running containers are left running (they survive the agent). */
  close(): Promise<void>;
}
