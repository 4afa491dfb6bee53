import type { RestartPolicy, TaskSpec } from "../../types/index.ts";

/** The restart delay when a task's policy gives none (SwarmKit's and Docker's default: 5 s). */
export const DEFAULT_RESTART_DELAY_MS = 5000;

/** A task's restart policy with Docker's defaults filled in and durations in milliseconds. */
export interface EffectiveRestartPolicy {
  condition: NonNullable<RestartPolicy["Condition"]>;
  delayMs: number;
  /** 0: no limit. */
  maxAttempts: number;
  /** 0: attempts count over the slot's whole life (for this spec version). */
  windowMs: number;
}

/** The restart policy of a task spec (condition `any`, 5 s delay, no limit unless it says otherwise). */
export function restartPolicyOf(spec: TaskSpec): EffectiveRestartPolicy {
  const policy = spec.RestartPolicy ?? {};
  return {
    condition: policy.Condition ?? "any",
    delayMs: policy.Delay === undefined ? DEFAULT_RESTART_DELAY_MS : nanosToMs(policy.Delay),
    maxAttempts: Math.max(0, policy.MaxAttempts ?? 0),
    windowMs: policy.Window === undefined ? 0 : nanosToMs(policy.Window),
  };
}

function nanosToMs(nanos: number): number {
  return Math.max(0, Math.round(nanos / 1e6));
}
