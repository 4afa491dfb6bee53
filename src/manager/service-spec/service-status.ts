import type { ReadTx, SwarmTables } from "../../store/index.ts";
import type { Service, ServiceStatus } from "../../types/index.ts";

/**
 * The REPLICAS column of `docker service ls` (`GET /services?status=true`), counted as SwarmKit's
 * `ListServiceStatuses` does: desired = the replica count (a replicated job: its MaxConcurrent; a
 * global service: its tasks desired running, plus a global job's tasks desired complete and not
 * complete yet); running = tasks in state running; completed = a job's tasks complete in the
 * current iteration (a job counts only the tasks of that iteration). A task on a node that is down
 * (or gone) does not count as running: its state is the last its agent reported (the docker CLI
 * counted so before the daemon did it).
 */
export function serviceStatus(tx: ReadTx<SwarmTables>, service: Service): ServiceStatus {
  const mode = service.Spec.Mode;
  const global = "Global" in mode || "GlobalJob" in mode;
  const status: ServiceStatus = {
    RunningTasks: 0,
    DesiredTasks: "Replicated" in mode ? mode.Replicated.Replicas : "ReplicatedJob" in mode ? (mode.ReplicatedJob.MaxConcurrent ?? 0) : 0,
    CompletedTasks: 0,
  };
  const iteration = service.JobStatus?.JobIteration.Index;
  for (const task of tx.find("tasks", { index: "service", key: service.ID })) {
    if (iteration !== undefined) {
      if (task.JobIteration?.Index !== iteration) continue;
      if (task.Status.State === "complete") status.CompletedTasks++;
    }
    if (task.Status.State === "running" && nodeIsUp(tx, task.NodeID)) status.RunningTasks++;
    if (global && task.DesiredState === "running") status.DesiredTasks++;
    if (global && task.DesiredState === "complete" && task.Status.State !== "complete") status.DesiredTasks++;
  }
  return status;
}

function nodeIsUp(tx: ReadTx<SwarmTables>, nodeId: string | undefined): boolean {
  const node = nodeId ? tx.get("nodes", nodeId) : undefined;
  return node !== undefined && node.Status.State !== "down";
}
