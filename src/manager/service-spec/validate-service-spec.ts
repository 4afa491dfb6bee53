/**
 * SwarmKit's checks of a service spec that need no store (`manager/controlapi/service.go`
 * `validateServiceSpec`, `common.go` `validateAnnotations`), with its texts as the docker CLI shows
 * them after the gRPC hop (`rpc error: code = InvalidArgument desc = …`).
 */
import { parseImageReference } from "../../engine/index.ts";
import { ShoalError } from "../../lib/index.ts";
import type { ContainerSpec, HealthConfig, ResourceRequirements, RestartPolicy, ServiceSpec, TaskSpec, UpdateConfig } from "../../types/index.ts";
import { parseConstraints } from "../scheduler/constraints.ts";

/** SwarmKit's rule for service names: a DNS label component. */
const DNS_NAME = /^[a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*$/;
/** The shortest health check interval, timeout or start period (1 ms). */
const MINIMUM_DURATION_NS = 1e6;

/** An InvalidArgument from the control API. */
export function controlInvalid(desc: string): ShoalError {
  return new ShoalError("invalid_argument", `rpc error: code = InvalidArgument desc = ${desc}`);
}

function validateName(name: string): void {
  if (name === "") throw controlInvalid("meta: name must be provided");
  if (!DNS_NAME.test(name)) throw controlInvalid("name must be valid as a DNS name component");
  if (name.length > 63) throw controlInvalid("name must be 63 characters or fewer");
}

/** A float as Go's `%g` prints it (`1e-06`, `0.5`). */
function goFloat(value: number): string {
  const exponent = value === 0 ? 0 : Math.floor(Math.log10(Math.abs(value)));
  if (exponent >= -4 && exponent < 21) return String(value);
  return value.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
}

function validateResources(resources: ResourceRequirements | undefined): void {
  for (const part of [resources?.Limits, resources?.Reservations]) {
    const cpus = part?.NanoCPUs ?? 0;
    if (cpus !== 0 && cpus < 1e6) throw controlInvalid(`invalid cpu value ${goFloat(cpus / 1e9)}: Must be at least 0.001`);
    const memory = part?.MemoryBytes ?? 0;
    if (memory !== 0 && memory < 4 * 1024 * 1024) throw controlInvalid(`invalid memory value ${memory}: Must be at least 4MiB`);
  }
}

function validateRestartPolicy(policy: RestartPolicy | undefined): void {
  if ((policy?.Delay ?? 0) < 0) throw controlInvalid("TaskSpec: restart-delay cannot be negative");
  if ((policy?.Window ?? 0) < 0) throw controlInvalid("TaskSpec: restart-window cannot be negative");
}

/** Placement constraints must parse (`node.role == manager`); SwarmKit passes the parser's error on as code Unknown. */
function validatePlacement(task: TaskSpec): void {
  try {
    parseConstraints(task.Placement?.Constraints ?? []);
  } catch (error) {
    if (!(error instanceof ShoalError)) throw error;
    const message = error.message.startsWith("rpc error:") ? error.message : `rpc error: code = Unknown desc = ${error.message}`;
    throw new ShoalError("invalid_argument", message, { cause: error });
  }
}

/** Secret and config references: IDs and names given, a file target each, no two on the same file. */
function validateReferences(container: ContainerSpec): void {
  const kinds = [
    { kind: "secret", refs: (container.Secrets ?? []).map((ref) => ({ id: ref.SecretID, name: ref.SecretName, file: ref.File, runtime: false })) },
    { kind: "config", refs: (container.Configs ?? []).map((ref) => ({ id: ref.ConfigID, name: ref.ConfigName, file: ref.File, runtime: Boolean(ref.Runtime) })) },
  ];
  for (const { kind, refs } of kinds) {
    const targets = new Map<string, string>();
    for (const ref of refs) {
      if (!ref.id || !ref.name) throw controlInvalid(`malformed ${kind} reference`);
      if (!ref.file && !ref.runtime) throw controlInvalid(`malformed ${kind} reference, no target provided`);
      if (!ref.file) continue;
      if (!ref.file.Name) throw controlInvalid(`malformed file ${kind} reference, invalid target file name provided`);
      const previous = targets.get(ref.file.Name);
      if (previous !== undefined) throw controlInvalid(`${kind} references '${previous}' and '${ref.name}' have a conflicting target: '${ref.file.Name}'`);
      targets.set(ref.file.Name, ref.name);
    }
  }
}

function validateHealthcheck(health: HealthConfig | undefined): void {
  if (!health) return;
  for (const field of ["Interval", "Timeout", "StartPeriod", "StartInterval"] as const) {
    const value = health[field] ?? 0;
    if (value !== 0 && value < MINIMUM_DURATION_NS) throw controlInvalid(`ContainerSpec: ${field} in HealthConfig cannot be less than 1ms`);
  }
  if ((health.Retries ?? 0) < 0) throw controlInvalid("ContainerSpec: Retries in HealthConfig cannot be negative");
}

function validateContainer(container: ContainerSpec): void {
  if (!container.Image) throw controlInvalid("ContainerSpec: image reference must be provided");
  try {
    parseImageReference(container.Image);
  } catch {
    throw controlInvalid(`ContainerSpec: ${JSON.stringify(container.Image)} is not a valid repository/tag`);
  }
  const targets = new Set<string>();
  for (const mount of container.Mounts ?? []) {
    if (targets.has(mount.Target)) throw controlInvalid(`ContainerSpec: duplicate mount point: ${mount.Target}`);
    targets.add(mount.Target);
  }
  if ((container.StopGracePeriod ?? 0) < 0) throw controlInvalid("ContainerSpec: StopGracePeriod cannot be negative");
  validateHealthcheck(container.Healthcheck);
}

function validateMode(spec: ServiceSpec): void {
  const mode = spec.Mode;
  if ("Replicated" in mode && mode.Replicated.Replicas < 0) throw controlInvalid("Number of replicas must be non-negative");
  if ("ReplicatedJob" in mode) {
    if ((mode.ReplicatedJob.MaxConcurrent ?? 0) < 0) throw controlInvalid("Maximum concurrent jobs must not be negative");
    if ((mode.ReplicatedJob.TotalCompletions ?? 0) < 0) throw controlInvalid("Total completed jobs must not be negative");
  }
}

/** `--update-*` (or `--rollback-*`) values: no negative delay or monitor, a failure ratio within 0..1. */
function validateUpdateConfig(config: UpdateConfig | undefined, flag: "update" | "rollback"): void {
  if (!config) return;
  if ((config.Delay ?? 0) < 0) throw controlInvalid(`TaskSpec: ${flag}-delay cannot be negative`);
  if ((config.Monitor ?? 0) < 0) throw controlInvalid(`TaskSpec: ${flag}-monitor cannot be negative`);
  if (config.MaxFailureRatio < 0 || config.MaxFailureRatio > 1) throw controlInvalid(`TaskSpec: ${flag}-maxfailureratio cannot be less than 0 or bigger than 1`);
}

function validateEndpoint(spec: ServiceSpec): void {
  const endpoint = spec.EndpointSpec;
  const seen = new Set<string>();
  for (const port of endpoint?.Ports ?? []) {
    if (endpoint?.Mode === "dnsrr" && port.PublishMode === "ingress") throw controlInvalid("EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
    if (!port.PublishedPort) continue;
    const key = `${port.PublishedPort}/${port.Protocol}`;
    if (seen.has(key)) throw controlInvalid("EndpointSpec: duplicate published ports provided");
    seen.add(key);
  }
}

function isJob(spec: ServiceSpec): boolean {
  return "ReplicatedJob" in spec.Mode || "GlobalJob" in spec.Mode;
}

/** Refuses a spec SwarmKit's control API would refuse, with its text; the store checks (names, references, ports) come after. */
export function validateServiceSpec(spec: ServiceSpec): void {
  validateName(spec.Name);
  const task = spec.TaskTemplate;
  validateResources(task.Resources);
  validateRestartPolicy(task.RestartPolicy);
  validatePlacement(task);
  const container = task.ContainerSpec;
  if (!container) throw controlInvalid("TaskSpec: missing runtime");
  validateReferences(container);
  validateContainer(container);
  validateMode(spec);
  if (isJob(spec)) {
    if (spec.UpdateConfig) throw controlInvalid("Jobs may not have an update config");
  } else {
    validateUpdateConfig(spec.UpdateConfig, "update");
  }
  validateUpdateConfig(spec.RollbackConfig, "rollback");
  validateEndpoint(spec);
}
