import { serviceModeName, type Service } from "../../types/index.ts";

/** Which orchestrator owns a service's tasks. */
export type OrchestratedMode = ReturnType<typeof serviceModeName>;

/** The mode of `service`, or null when there is no service. */
export function modeOf(service: Service | undefined): OrchestratedMode | null {
  return service ? serviceModeName(service.Spec.Mode) : null;
}

/** True for jobs: their tasks run to completion instead of running forever. */
export function isJob(service: Service): boolean {
  const mode = modeOf(service);
  return mode === "replicated-job" || mode === "global-job";
}

/** True for modes whose tasks are placed one per node (global services and global jobs): a node is their slot. */
export function isPerNode(service: Service): boolean {
  const mode = modeOf(service);
  return mode === "global" || mode === "global-job";
}

/** The job iteration tasks of `service` are made for now (0 until the service is updated). */
export function jobIterationOf(service: Service): number {
  return service.JobStatus?.JobIteration.Index ?? 0;
}
