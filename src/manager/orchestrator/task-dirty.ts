import { isDeepStrictEqual } from "node:util";
import type { EndpointSpec, Service, Task } from "../../types/index.ts";

/** The ports a task binds on its node itself (host mode); ingress ports do not touch the task. */
function hostPorts(spec: EndpointSpec | undefined): unknown[] {
  return (spec?.Ports ?? []).filter((port) => port.PublishMode === "host").map((port) => [port.Protocol, port.TargetPort, port.PublishedPort ?? 0]);
}

/**
 * True when `task` no longer runs the service's current task template, or binds other host-mode
 * ports than the service publishes (SwarmKit's `IsTaskDirty`): an update (or `--force`, which bumps
 * `ForceUpdate`) must replace it.
 */
export function isTaskDirty(service: Service, task: Task): boolean {
  return !isDeepStrictEqual(task.Spec, service.Spec.TaskTemplate) || !isDeepStrictEqual(hostPorts(task.Endpoint?.Spec), hostPorts(service.Spec.EndpointSpec));
}
