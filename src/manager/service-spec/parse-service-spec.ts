/**
 * A request body → the `ServiceSpec` the managers store, as moby's daemon converts it before it
 * reaches SwarmKit (`daemon/cluster/convert/service.go`, `container.go`): Go's decoding, the
 * enum fields normalised or refused with moby's words, the defaults moby fills (one replica, restart
 * condition `any`, failure action `pause`, order `stop-first`, resolution mode `vip`, tcp/ingress
 * ports), the runtime `container` (the only one shoal runs), the deprecated top-level `Networks`
 * moved into the task template.
 */
import { ShoalError } from "../../lib/index.ts";
import type { PortConfig, RestartPolicy, ServiceMode, ServiceSpec, TaskSpec, UpdateConfig } from "../../types/index.ts";
import { decodeShape } from "./json-shape.ts";
import { SERVICE_SPEC_SHAPE } from "./service-spec-shape.ts";

const RESTART_CONDITIONS = ["none", "on-failure", "any"];
const FAILURE_ACTIONS = ["pause", "continue", "rollback"];
const ORDERS = ["stop-first", "start-first"];
const MOUNT_TYPES = ["bind", "volume", "tmpfs", "npipe", "cluster"];
const PROPAGATIONS = ["rprivate", "private", "rshared", "shared", "rslave", "slave"];

function invalid(message: string): ShoalError {
  return new ShoalError("invalid_argument", message);
}

/** One mode, with moby's defaults: no mode is one replica; a replicated job runs one at a time, as many as run at once. */
function normaliseMode(mode: Record<string, Record<string, number> | undefined> | undefined): ServiceMode {
  const given = Object.keys(mode ?? {});
  if (given.length > 1) throw invalid("must specify only one service mode");
  if (mode?.Global) return { Global: {} };
  if (mode?.GlobalJob) return { GlobalJob: {} };
  if (mode?.ReplicatedJob) {
    const maxConcurrent = mode.ReplicatedJob.MaxConcurrent ?? 1;
    return { ReplicatedJob: { MaxConcurrent: maxConcurrent, TotalCompletions: mode.ReplicatedJob.TotalCompletions ?? maxConcurrent } };
  }
  return { Replicated: { Replicas: mode?.Replicated?.Replicas ?? 1 } };
}

function normaliseRestartPolicy(policy: RestartPolicy | undefined): RestartPolicy | undefined {
  if (!policy) return undefined;
  const condition = (policy.Condition as string | undefined) || "any";
  if (!RESTART_CONDITIONS.includes(condition)) throw invalid(`invalid RestartCondition: ${JSON.stringify(policy.Condition)}`);
  return { ...policy, Condition: condition as RestartPolicy["Condition"], MaxAttempts: policy.MaxAttempts ?? 0 };
}

function normaliseUpdateConfig(config: Partial<UpdateConfig> | undefined): UpdateConfig | undefined {
  if (!config) return undefined;
  const action = (config.FailureAction as string | undefined) || "pause";
  if (!FAILURE_ACTIONS.includes(action)) throw invalid(`unrecognized update failure action ${config.FailureAction}`);
  const order = (config.Order as string | undefined) || "stop-first";
  if (!ORDERS.includes(order)) throw invalid(`unrecognized update order ${config.Order}`);
  const { Delay, Monitor } = config;
  return {
    Parallelism: config.Parallelism ?? 0,
    ...(Delay ? { Delay } : {}),
    FailureAction: action as UpdateConfig["FailureAction"],
    ...(Monitor ? { Monitor } : {}),
    MaxFailureRatio: config.MaxFailureRatio ?? 0,
    Order: order as UpdateConfig["Order"],
  };
}

function normalisePort(port: Partial<PortConfig>): PortConfig {
  const protocol = (port.Protocol ?? "").toLowerCase();
  const mode = (port.PublishMode ?? "").toLowerCase();
  return {
    ...port,
    Protocol: (["tcp", "udp", "sctp"].includes(protocol) ? protocol : "tcp") as PortConfig["Protocol"],
    TargetPort: port.TargetPort ?? 0,
    PublishMode: mode === "host" ? "host" : "ingress",
  };
}

/** The task template: the container runtime only, its mounts and config references checked as moby converts them. */
function normaliseTaskTemplate(template: Record<string, unknown> | undefined): TaskSpec {
  const { PluginSpec, NetworkAttachmentSpec, Runtime, ...task } = (template ?? {}) as unknown as TaskSpec & { PluginSpec?: unknown; NetworkAttachmentSpec?: unknown };
  const runtime = Runtime ?? "";
  if (runtime === "plugin") throw invalid(`runtime type "plugin" only supported in experimental`);
  if (runtime === "attachment") throw invalid(`invalid task spec: spec type "attachment" not supported`);
  if (runtime !== "" && runtime !== "container") throw invalid("unsupported runtime");
  if (!task.ContainerSpec || PluginSpec !== undefined || NetworkAttachmentSpec !== undefined) throw invalid("mismatched Runtime and *Spec fields");
  for (const mount of task.ContainerSpec.Mounts ?? []) {
    if (!MOUNT_TYPES.includes(mount.Type)) throw invalid(`invalid MountType: ${JSON.stringify(mount.Type ?? "")}`);
    const propagation = mount.BindOptions?.Propagation;
    if (propagation && !PROPAGATIONS.includes(propagation)) throw invalid(`invalid MountPropagation: ${JSON.stringify(propagation)}`);
  }
  for (const config of task.ContainerSpec.Configs ?? []) {
    if (config.File && config.Runtime) throw invalid("cannot specify both File and Runtime");
    if (!config.File && !config.Runtime) throw invalid("either File or Runtime should be set");
  }
  const restart = normaliseRestartPolicy(task.RestartPolicy);
  return { ...task, ...(restart ? { RestartPolicy: restart } : {}), ForceUpdate: task.ForceUpdate ?? 0, Runtime: "container" };
}

/**
 * Decodes and normalises a create or update body. An empty `Name` stays empty: the caller picks a
 * random one (moby's names generator) where it can see which names are taken.
 */
export function parseServiceSpec(body: unknown): ServiceSpec {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalid("request body must be a JSON object (a ServiceSpec)");
  const decoded = decodeShape(body, SERVICE_SPEC_SHAPE, "ServiceSpec") as Record<string, any>;
  const template = normaliseTaskTemplate(decoded.TaskTemplate);
  const legacyNetworks = decoded.Networks as TaskSpec["Networks"];
  if (!template.Networks?.length && legacyNetworks?.length) template.Networks = legacyNetworks;
  const spec: ServiceSpec = {
    Name: decoded.Name ?? "",
    Labels: decoded.Labels ?? {},
    TaskTemplate: template,
    Mode: normaliseMode(decoded.Mode),
  };
  const update = normaliseUpdateConfig(decoded.UpdateConfig);
  if (update) spec.UpdateConfig = update;
  const rollback = normaliseUpdateConfig(decoded.RollbackConfig);
  if (rollback) spec.RollbackConfig = rollback;
  const endpoint = decoded.EndpointSpec as { Mode?: string; Ports?: Partial<PortConfig>[] } | undefined;
  if (endpoint) {
    const mode = endpoint.Mode || "vip";
    if (mode !== "vip" && mode !== "dnsrr") throw invalid(`invalid resolution mode: ${JSON.stringify(endpoint.Mode)}`);
    spec.EndpointSpec = { Mode: mode, ...(endpoint.Ports ? { Ports: endpoint.Ports.map(normalisePort) } : {}) };
  }
  return spec;
}
