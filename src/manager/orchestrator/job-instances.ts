import type { Service, Task } from "../../types/index.ts";
import type { RestartSupervisor } from "./restart-supervisor.ts";
import { hasStopped, isRunnable } from "./slots.ts";

/** Where one instance of a job (a slot of a replicated job, a node of a global job) stands in the current iteration. */
export type JobInstanceState =
  /** One of its tasks completed: nothing more to run. */
  | { kind: "complete"; finished: Task[] }
  /** A task is meant to run; `stopped` lists those that stopped and need the restart supervisor. */
  | { kind: "active"; running: Task[]; stopped: Task[] }
  /** Its last task failed and its restart policy keeps it stopped. */
  | { kind: "given-up" }
  /** Nothing runs for it: a new task is wanted. */
  | { kind: "free" };

/** Classifies one instance's tasks of the current job iteration. */
export function jobInstanceState(tasks: readonly Task[], service: Service, restarts: RestartSupervisor): JobInstanceState {
  const finished = tasks.filter((task) => task.Status.State === "complete");
  if (finished.length > 0) return { kind: "complete", finished };
  const running = tasks.filter(isRunnable);
  if (running.length > 0) return { kind: "active", running, stopped: running.filter(hasStopped) };
  return restarts.updatableTasksInSlot(tasks, service).length > 0 ? { kind: "given-up" } : { kind: "free" };
}

/** The concurrency and completion target of a replicated job (Docker's defaults: 1 at a time, as many completions as that). */
export function replicatedJobTargets(service: Service): { maxConcurrent: number; totalCompletions: number } {
  const mode = "ReplicatedJob" in service.Spec.Mode ? service.Spec.Mode.ReplicatedJob : {};
  const maxConcurrent = Math.max(1, mode.MaxConcurrent || 1);
  const totalCompletions = Math.max(0, mode.TotalCompletions ?? maxConcurrent);
  return { maxConcurrent, totalCompletions };
}
