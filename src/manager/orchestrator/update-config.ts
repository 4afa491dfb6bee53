import type { ServiceSpec, UpdateConfig } from "../../types/index.ts";

/** How long a new task is watched after it starts when the spec says nothing (SwarmKit's default monitor: 5 s). */
export const DEFAULT_MONITOR_MS = 5_000;

/** What a rolling update does when tasks fail, as `--update-failure-action` names it. */
export type FailureAction = NonNullable<UpdateConfig["FailureAction"]>;

/**
 * How one update (or rollback) proceeds: the spec's `UpdateConfig` (or `RollbackConfig`) with
 * SwarmKit's defaults filled in (`api/defaults`: one task at a time, no delay, pause on failure,
 * 5 s monitor, no failure tolerated, stop-first), durations in milliseconds.
 */
export interface UpdatePlan {
  /** Slots replaced at the same time (at least 1; `Parallelism: 0` means every slot at once). */
  parallelism: number;
  /** Pause after each replaced slot before the same worker takes the next one. */
  delayMs: number;
  failureAction: FailureAction;
  /** How long after it starts running a new task's failure still counts against the update. */
  monitorMs: number;
  /** Failures tolerated, as a fraction of the slots being updated. */
  maxFailureRatio: number;
  order: UpdateConfig["Order"];
}

/** The plan for replacing `slots` dirty slots of a service with `spec`; `rollback` picks `RollbackConfig`. */
export function updatePlan(spec: ServiceSpec, rollback: boolean, slots: number): UpdatePlan {
  const config = (rollback ? spec.RollbackConfig : spec.UpdateConfig) ?? null;
  const parallelism = config ? config.Parallelism : 1;
  return {
    parallelism: Math.max(1, parallelism > 0 ? Math.min(parallelism, slots) : slots),
    delayMs: nanosToMs(config?.Delay ?? 0),
    failureAction: config?.FailureAction ?? "pause",
    // moby sends no monitor for 0, so SwarmKit uses its default then.
    monitorMs: config?.Monitor ? nanosToMs(config.Monitor) : DEFAULT_MONITOR_MS,
    maxFailureRatio: config?.MaxFailureRatio ?? 0,
    order: config?.Order ?? "stop-first",
  };
}

function nanosToMs(nanos: number): number {
  return Math.max(0, nanos / 1e6);
}
