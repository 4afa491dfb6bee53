/**
 * SwarmKit's service defaults (`api/defaults/service.go`): what `GET /services/{id}?insertDefaults=true`
 * fills in where the stored spec leaves a field out (`docker service inspect`, `service update`).
 */
import type { ServiceSpec, UpdateConfig } from "../../types/index.ts";

/** Stop grace period of a container: 10 s. */
export const DEFAULT_STOP_GRACE_PERIOD_NS = 10e9;
/** Restart delay: 5 s. */
export const DEFAULT_RESTART_DELAY_NS = 5e9;
/** Update and rollback monitor period: 5 s. */
export const DEFAULT_MONITOR_NS = 5e9;

/** The update (and rollback) config of a spec that has none. */
export const DEFAULT_UPDATE_CONFIG: Readonly<UpdateConfig> = Object.freeze({
  Parallelism: 1,
  FailureAction: "pause",
  Monitor: DEFAULT_MONITOR_NS,
  MaxFailureRatio: 0,
  Order: "stop-first",
});

function withMonitor(config: UpdateConfig | undefined): UpdateConfig {
  if (!config) return { ...DEFAULT_UPDATE_CONFIG };
  return config.Monitor === undefined ? { ...config, Monitor: DEFAULT_MONITOR_NS } : config;
}

/** `spec` with SwarmKit's defaults where it has nothing (`defaults.InterpolateService`); `spec` is not changed. */
export function withServiceDefaults(spec: ServiceSpec): ServiceSpec {
  const copy = structuredClone(spec) as ServiceSpec;
  const task = copy.TaskTemplate;
  const container = task.ContainerSpec;
  if (container) {
    container.StopGracePeriod ??= DEFAULT_STOP_GRACE_PERIOD_NS;
    container.DNSConfig ??= {};
  }
  task.Resources ??= {};
  task.RestartPolicy = task.RestartPolicy
    ? { ...task.RestartPolicy, Delay: task.RestartPolicy.Delay ?? DEFAULT_RESTART_DELAY_NS }
    : { Condition: "any", Delay: DEFAULT_RESTART_DELAY_NS, MaxAttempts: 0 };
  task.Placement ??= {};
  copy.UpdateConfig = withMonitor(copy.UpdateConfig);
  copy.RollbackConfig = withMonitor(copy.RollbackConfig);
  return copy;
}
