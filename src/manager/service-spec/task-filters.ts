import { ShoalError } from "../../lib/index.ts";
import type { ReadTx, SwarmTables } from "../../store/index.ts";
import { isTaskState, type Task, type TaskState } from "../../types/index.ts";
import { isTaskDirty } from "../orchestrator/task-dirty.ts";
import { matchesLabels, matchesOneOf, matchesPrefix } from "./filter-match.ts";
import { checkFilterNames } from "./service-filters.ts";

/** The filters `GET /tasks` accepts (moby `daemon/cluster/filters.go`); `_up-to-date` is the CLI's progress poll. */
export const TASK_FILTERS = ["id", "name", "label", "service", "node", "desired-state", "_up-to-date", "runtime"] as const;

/** A task's name: its own, else `<service>.<slot>.<task id>` (`<service>.<node id>.<task id>` without a slot), SwarmKit's `naming.Task`. */
export function taskName(task: Task): string {
  if (task.Name) return task.Name;
  return `${task.ServiceAnnotations.Name}.${task.Slot || task.NodeID || ""}.${task.ID}`;
}

function desiredStates(values: readonly string[] | undefined): TaskState[] | undefined {
  if (!values?.length) return undefined;
  const states: TaskState[] = [];
  for (const value of values) {
    const state = value.toLowerCase();
    if (isTaskState(state)) states.push(state);
    else if (value !== "") throw new ShoalError("invalid_argument", `Invalid desired-state filter: '${value}'`);
  }
  return states.length > 0 ? states : undefined;
}

/**
 * The tasks passing every filter, as the daemon lists them: `service` and `node` name a service
 * or node by ID, name or unique ID prefix (an unknown one is not_found); `id` and `name` are
 * prefixes; `label` matches the service's labels (SwarmKit's); `desired-state` any task state;
 * `_up-to-date` keeps the tasks that run their service's current spec (SwarmKit: not dirty).
 */
export function filterTasks(tx: ReadTx<SwarmTables>, filters: Record<string, string[]>): Task[] {
  checkFilterNames(filters, TASK_FILTERS);
  const serviceIds = filters.service?.map((ref) => tx.lookup("services", ref).ID);
  const nodeIds = filters.node?.map((ref) => tx.lookup("nodes", ref).ID);
  const states = desiredStates(filters["desired-state"]);
  const upToDate = (filters["_up-to-date"]?.length ?? 0) > 0;
  const candidates = serviceIds?.length === 1 ? tx.find("tasks", { index: "service", key: serviceIds[0]! }) : tx.find("tasks");
  return candidates.filter((task) => {
    if (!matchesPrefix(task.ID, filters.id) || !matchesPrefix(taskName(task), filters.name)) return false;
    if (!matchesLabels(task.ServiceAnnotations.Labels, filters.label)) return false;
    if (!matchesOneOf(task.ServiceID, serviceIds) || !matchesOneOf(task.NodeID ?? "", nodeIds)) return false;
    if (states && !states.includes(task.DesiredState)) return false;
    if (filters.runtime?.length && !filters.runtime.some((runtime) => runtime === "container" || runtime === "")) return false;
    if (upToDate) {
      const service = tx.get("services", task.ServiceID);
      if (!service || isTaskDirty(service, task)) return false;
    }
    return true;
  });
}
