/**
 * A swarm task as `docker inspect <task>` prints it (moby `api/types/swarm/task.go`).
 */
import type { Annotations, StoredObject } from "./swarm-meta.ts";
import type { Network } from "./swarm-network.ts";
import type { EndpointSpec, PortConfig, TaskSpec } from "./swarm-service.ts";
import type { TaskState } from "./task-state.ts";

/** The container behind a task, once it exists. */
export interface ContainerStatus {
  ContainerID?: string;
  PID?: number;
  ExitCode?: number;
}

/** What the agent last reported of a task. */
export interface TaskStatus {
  Timestamp: string;
  State: TaskState;
  Message: string;
  Err?: string;
  ContainerStatus?: ContainerStatus;
  PortStatus?: { Ports?: PortConfig[] };
}

/** A network a task is attached to, with its addresses (CIDR). */
export interface NetworkAttachment {
  Network: Network;
  Addresses: string[];
}

/** One task: a slot (replicated) or node (global) of a service, at one spec version. */
export interface Task extends StoredObject {
  Name?: string;
  Labels: Record<string, string>;
  Spec: TaskSpec;
  ServiceID: string;
  /** The service's name and labels when the task was made (SwarmKit's task field; names containers `<service>.<slot>.<task id>`). */
  ServiceAnnotations: Annotations;
  /** Replica number, for replicated services (absent for global ones). */
  Slot?: number;
  /** Empty until scheduled. */
  NodeID?: string;
  Status: TaskStatus;
  DesiredState: TaskState;
  NetworksAttachments?: NetworkAttachment[];
  /** The service's endpoint when the task was made (SwarmKit's task field): its host-mode ports bind on the task's node. */
  Endpoint?: { Spec: EndpointSpec };
  /** The service's spec version this task was made from (`_up-to-date` filter). */
  ServiceVersion?: { Index: number };
  JobIteration?: { Index: number };
}
