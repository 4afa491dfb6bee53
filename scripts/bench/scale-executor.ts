/**
 * The scale simulation's executor: a node that runs nothing. A task the managers assign goes
 * accepted → preparing → ready → starting → running at once (reported in one go; the agent keeps the
 * latest per task, so the managers see `running`); a task whose desired state moved past running is
 * reported `shutdown`; a task no longer assigned is forgotten. It counts what it saw for the benchmark.
 */
import type { AssignedFile, TaskExecutor, TaskStatusReport } from "../../src/agent/index.ts";
import { compareTaskStates, type LogOptions, type Task, type TaskLogLine, type TaskState } from "../../src/types/index.ts";

const START_STATES: readonly TaskState[] = ["accepted", "preparing", "ready", "starting", "running"];

/** Counts shared by every executor of a process: what the benchmark reports. */
export interface ExecutorCounters {
  /** Tasks handed to a node for the first time (the scheduler's decision, committed, then sent). */
  assigned: number;
  /** Tasks this process reported running. */
  started: number;
  /** Tasks reported shut down. */
  stopped: number;
  /** Assignments messages (each one a reconcile). */
  messages: number;
}

/** A {@link TaskExecutor} that pretends: every task runs the moment it is assigned. */
export class PretendExecutor implements TaskExecutor {
  readonly #counters: ExecutorCounters;
  readonly #statuses = new Map<string, TaskStatusReport>();
  #listener: (reports: TaskStatusReport[]) => void = () => {};

  constructor(counters: ExecutorCounters) {
    this.#counters = counters;
  }

  reconcile(tasks: readonly Task[], _files: readonly AssignedFile[]): void {
    this.#counters.messages++;
    const reports: TaskStatusReport[] = [];
    const assigned = new Set<string>();
    const now = new Date().toISOString();
    for (const task of tasks) {
      assigned.add(task.ID);
      const known = this.#statuses.get(task.ID);
      if (!known) this.#counters.assigned++;
      const current = known?.status.State ?? task.Status.State;
      if (compareTaskStates(task.DesiredState, "running") <= 0) {
        if (compareTaskStates(current, "running") >= 0) continue;
        for (const State of START_STATES) reports.push({ taskId: task.ID, status: { Timestamp: now, State, Message: State === "running" ? "started" : State } });
        this.#counters.started++;
      } else if (compareTaskStates(current, "shutdown") < 0) {
        reports.push({ taskId: task.ID, status: { Timestamp: now, State: "shutdown", Message: "shutdown" } });
        this.#counters.stopped++;
      }
    }
    for (const id of this.#statuses.keys()) if (!assigned.has(id)) this.#statuses.delete(id);
    for (const report of reports) this.#statuses.set(report.taskId, report);
    // Tasks seen for the first time that need no report still count as known.
    for (const task of tasks) if (!this.#statuses.has(task.ID)) this.#statuses.set(task.ID, { taskId: task.ID, status: task.Status });
    if (reports.length > 0) this.#listener(reports);
  }

  onStatus(listener: (reports: TaskStatusReport[]) => void): void {
    this.#listener = listener;
  }

  statuses(): TaskStatusReport[] {
    return [...this.#statuses.values()].filter((report) => compareTaskStates(report.status.State, "accepted") >= 0);
  }

  logs(_taskId: string, _options: LogOptions, _signal: AbortSignal): AsyncIterable<TaskLogLine> | null {
    return null;
  }

  async close(): Promise<void> {}
}
