import { newId } from "../../lib/index.ts";
import type { Service, Task } from "../../types/index.ts";

/** The Status.Message of a task the orchestrator just made (SwarmKit's words). */
export const CREATED_MESSAGE = "created";

/** What a new task of `service` shares, whatever its mode. */
function baseTask(service: Service, now: string): Omit<Task, "Slot" | "NodeID"> {
  return {
    ID: newId(),
    Version: { Index: 0 },
    CreatedAt: now,
    UpdatedAt: now,
    Labels: {},
    Spec: service.Spec.TaskTemplate,
    ServiceID: service.ID,
    ServiceAnnotations: { Name: service.Spec.Name, Labels: service.Spec.Labels },
    Status: { Timestamp: now, State: "new", Message: CREATED_MESSAGE },
    DesiredState: "running",
    ServiceVersion: { Index: service.Version.Index },
    ...(service.Spec.EndpointSpec ? { Endpoint: { Spec: service.Spec.EndpointSpec } } : {}),
  };
}

/**
 * A new task for slot `slot` (1-based) of a replicated service or replicated job: state `new`,
 * desired `running`, the service's current task template and version. The allocator takes it to
 * `pending`, the scheduler picks its node.
 */
export function newReplicatedTask(service: Service, slot: number, now: string): Task {
  return { ...baseTask(service, now), Slot: slot };
}

/** A new task of a global service (or global job) on `nodeId`: the node is chosen already. */
export function newGlobalTask(service: Service, nodeId: string, now: string): Task {
  return { ...baseTask(service, now), NodeID: nodeId };
}
