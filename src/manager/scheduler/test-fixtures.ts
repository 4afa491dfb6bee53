/**
 * Plain nodes, services and tasks for the scheduler's tests (stored objects, IDs given): ready,
 * active, linux/x86_64 nodes with 2 CPUs and 2 GiB; pending tasks desired running.
 */
import type { Node, NodeDescription, NodeSpec, NodeStatus, PortConfig, Service, Task, TaskSpec } from "../../types/index.ts";

const META = { Version: { Index: 1 }, CreatedAt: "2026-11-25T12:00:00.000Z", UpdatedAt: "2026-11-25T12:00:00.000Z" };

/** A node; `options` override parts of it. */
export function testNode(
  id: string,
  options: { spec?: Partial<NodeSpec>; status?: Partial<NodeStatus>; description?: Partial<NodeDescription>; labels?: Record<string, string>; engineLabels?: Record<string, string>; cpus?: number; memory?: number } = {},
): Node {
  return {
    ID: id,
    ...META,
    Spec: { Role: "worker", Availability: "active", Labels: options.labels ?? {}, ...options.spec },
    Description: {
      Hostname: `host-${id}`,
      Platform: { OS: "linux", Architecture: "x86_64" },
      Resources: { NanoCPUs: (options.cpus ?? 2) * 1e9, MemoryBytes: options.memory ?? 2 * 2 ** 30 },
      Engine: { EngineVersion: "0.1.0", ...(options.engineLabels ? { Labels: options.engineLabels } : {}) },
      ...options.description,
    },
    Status: { State: "ready", Addr: "10.0.0.1", ...options.status },
  };
}

/** A replicated service publishing `ports`. */
export function testService(id: string, ports: PortConfig[] = []): Service {
  return {
    ID: id,
    ...META,
    Spec: { Name: `svc-${id}`, Labels: {}, TaskTemplate: { ContainerSpec: { Image: "busybox" }, ForceUpdate: 0 }, Mode: { Replicated: { Replicas: 1 } }, EndpointSpec: { Ports: ports } },
    Endpoint: { Spec: { Ports: ports } },
  };
}

/** A task of `serviceId`: pending and unassigned unless told otherwise. */
export function testTask(id: string, serviceId: string, options: { spec?: Partial<TaskSpec>; nodeId?: string; state?: Task["Status"]["State"]; desired?: Task["DesiredState"]; err?: string } = {}): Task {
  return {
    ID: id,
    ...META,
    Labels: {},
    Spec: { ContainerSpec: { Image: "busybox" }, ForceUpdate: 0, ...options.spec },
    ServiceID: serviceId,
    ServiceAnnotations: { Name: `svc-${serviceId}`, Labels: {} },
    ...(options.nodeId ? { NodeID: options.nodeId } : {}),
    Status: { State: options.state ?? "pending", Message: "pending task scheduling", Timestamp: META.CreatedAt, ...(options.err ? { Err: options.err } : {}) },
    DesiredState: options.desired ?? "running",
  };
}

/** A task spec reserving `cpus` CPUs and `memory` bytes. */
export function reserving(cpus: number, memory = 0): Partial<TaskSpec> {
  return { Resources: { Reservations: { NanoCPUs: cpus * 1e9, MemoryBytes: memory } } };
}
