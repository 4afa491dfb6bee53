import { TASK_STATES, type Platform, type PortConfig, type Service, type Task, type TaskState } from "../../types/index.ts";
import { parseConstraints, type Constraint } from "./constraints.ts";
import type { Reservation } from "./node-info.ts";

/**
 * What a task asks of a node, derived once from its spec and its service's published ports. Tasks of
 * one service with equal demands are interchangeable for the filters: the scheduler places them as
 * one group (SwarmKit groups by service and spec version), sharing one filter pipeline.
 */
export interface TaskDemand {
  /** Equal for tasks the filters cannot tell apart. */
  readonly key: string;
  readonly serviceId: string;
  readonly nanoCPUs: number;
  readonly memoryBytes: number;
  /** Empty when `Placement.Constraints` do not parse: the API refuses those, so only bad stored data gets here, and SwarmKit ignores it too. */
  readonly constraints: readonly Constraint[];
  readonly platforms: readonly Platform[];
  /** Host-mode published ports, as `protocol/port`. */
  readonly hostPorts: readonly string[];
  /** At most this many active tasks of the service per node; 0 for no limit. */
  readonly maxReplicas: number;
  /** `spread=` descriptors of the placement preferences, outermost first. */
  readonly spreadDescriptors: readonly string[];
}

/** The host-mode ports a service's tasks publish (`protocol/port`); ports published without a number clash with nothing. */
export function hostPortsOf(service: Pick<Service, "Spec"> | undefined): string[] {
  return hostPortKeys(service?.Spec.EndpointSpec?.Ports);
}

/** `protocol/port` for each host-mode port with a published number. */
export function hostPortKeys(ports: readonly PortConfig[] | undefined): string[] {
  const keys: string[] = [];
  for (const port of ports ?? []) {
    if (port.PublishMode === "host" && port.PublishedPort) keys.push(`${port.Protocol ?? "tcp"}/${port.PublishedPort}`);
  }
  return keys;
}

/** The demand of `task`, whose service publishes `hostPorts`; `cache` shares parsed demands between equal tasks. */
export function taskDemand(task: Task, hostPorts: readonly string[], cache?: Map<string, TaskDemand>): TaskDemand {
  const placement = task.Spec.Placement;
  const reservations = task.Spec.Resources?.Reservations;
  const placementKey = placement ? JSON.stringify(placement) : "";
  const key = `${task.ServiceID}\u0000${placementKey}\u0000${reservations?.NanoCPUs ?? 0}\u0000${reservations?.MemoryBytes ?? 0}\u0000${hostPorts.join(",")}`;
  const cached = cache?.get(key);
  if (cached) return cached;
  let constraints: Constraint[] = [];
  try {
    constraints = parseConstraints(placement?.Constraints ?? []);
  } catch {
    // Ignored, as SwarmKit does (see `constraints`).
  }
  const demand: TaskDemand = {
    key,
    serviceId: task.ServiceID,
    nanoCPUs: Math.max(0, reservations?.NanoCPUs ?? 0),
    memoryBytes: Math.max(0, reservations?.MemoryBytes ?? 0),
    constraints,
    platforms: placement?.Platforms ?? [],
    hostPorts,
    maxReplicas: Math.max(0, placement?.MaxReplicas ?? 0),
    spreadDescriptors: (placement?.Preferences ?? []).map((preference) => preference.Spread?.SpreadDescriptor).filter((descriptor): descriptor is string => !!descriptor),
  };
  cache?.set(key, demand);
  return demand;
}

const STATE_RANKS = Object.fromEntries(TASK_STATES.map((state, rank) => [state, rank])) as Record<TaskState, number>;

/** The place of `state` in the task lifecycle (a lookup: the scheduler asks this for every event). */
export function stateRank(state: TaskState): number {
  return STATE_RANKS[state] ?? -1;
}

const COMPLETE = stateRank("complete");

/** True when a task with this desired state counts toward its node's task counts (SwarmKit: desired ≤ completed). */
export function isActiveDesiredState(task: Pick<Task, "DesiredState">): boolean {
  return stateRank(task.DesiredState) <= COMPLETE;
}

/** What `task`, whose service publishes `hostPorts`, holds on its node once placed. */
export function reservationOf(task: Task, hostPorts: readonly string[]): Reservation {
  const reservations = task.Spec.Resources?.Reservations;
  return {
    serviceId: task.ServiceID,
    nanoCPUs: Math.max(0, reservations?.NanoCPUs ?? 0),
    memoryBytes: Math.max(0, reservations?.MemoryBytes ?? 0),
    hostPorts,
    active: isActiveDesiredState(task),
  };
}
