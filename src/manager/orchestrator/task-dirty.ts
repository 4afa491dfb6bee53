import { isDeepStrictEqual } from "node:util";
import type { Service, Task } from "../../types/index.ts";

/**
 * True when `task` no longer runs the service's current task template (SwarmKit's `IsTaskDirty`):
 * an update (or `--force`, which bumps `ForceUpdate`) must replace it.
 */
export function isTaskDirty(service: Service, task: Task): boolean {
  return !isDeepStrictEqual(task.Spec, service.Spec.TaskTemplate);
}
