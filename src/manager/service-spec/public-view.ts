/**
 * Services and tasks as the API shows them: without the registry credentials the stored container
 * spec carries for the agents (moby drops SwarmKit's `PullOptions` when it converts for the API).
 */
import type { Service, ServiceSpec, Task, TaskSpec } from "../../types/index.ts";

/** A task spec without its `ContainerSpec.PullOptions`. */
export function publicTaskSpec(spec: TaskSpec): TaskSpec {
  if (!spec.ContainerSpec || spec.ContainerSpec.PullOptions === undefined) return spec;
  const { PullOptions: _hidden, ...container } = spec.ContainerSpec;
  return { ...spec, ContainerSpec: container };
}

function publicSpec(spec: ServiceSpec): ServiceSpec {
  const template = publicTaskSpec(spec.TaskTemplate);
  return template === spec.TaskTemplate ? spec : { ...spec, TaskTemplate: template };
}

/** A service as `GET /services` shows it: no registry credentials in its spec or previous spec. */
export function publicService(service: Service): Service {
  return {
    ...service,
    Spec: publicSpec(service.Spec),
    ...(service.PreviousSpec ? { PreviousSpec: publicSpec(service.PreviousSpec) } : {}),
  };
}

/** A task as `GET /tasks` shows it: no registry credentials in its spec. */
export function publicTask(task: Task): Task {
  const spec = publicTaskSpec(task.Spec);
  return spec === task.Spec ? task : { ...task, Spec: spec };
}
