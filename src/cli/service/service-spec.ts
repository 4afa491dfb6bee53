/**
 * The `ServiceSpec` of `service create`, built from its flags as docker's serviceOptions.ToService
 * builds it and encoded as Go encodes it (which fields are always there, which only when set).
 */
import type { CliContext } from "../context.ts";
import { CliError } from "../cli-error.ts";
import { FlagReader, type ServiceFlags } from "./service-flags.ts";
import {
  parseEnv,
  parseFileReference,
  parseLabels,
  parsePlacementPref,
  parsePublish,
  parseServiceMount,
  resolveFileReferences,
  resolveNetworks,
} from "./spec-parts.ts";

/** swarmkit's defaults (api/defaults/service.go) that docker fills in when some of a group's flags are given. */
export const SPEC_DEFAULTS = {
  restart: { Condition: "any", Delay: 5e9, MaxAttempts: 0 },
  update: { Parallelism: 1, FailureAction: "pause", Monitor: 5e9, MaxFailureRatio: 0, Order: "stop-first" },
} as const;

/** A JSON object as the request body holds it. */
export type Json = Record<string, unknown>;

const RESTART_CONDITIONS = ["none", "on-failure", "any"];
const ORDERS = ["stop-first", "start-first"];

/** Checks a value docker leaves to the daemon, so that nothing is sent: the daemon's wording. */
export function checkChoice(flag: string, value: string | undefined, choices: readonly string[]): void {
  if (value !== undefined && !choices.includes(value)) {
    throw new CliError(`invalid ${flag.slice(2)} ${JSON.stringify(value)}: must be one of ${choices.map((choice) => `"${choice}"`).join(", ")}`);
  }
}

/** `UpdateConfig` (or `RollbackConfig`) from the `--update-*` (`--rollback-*`) flags: absent unless one is given. */
export function updateConfigFrom(reader: FlagReader, flags: ServiceFlags, kind: "update" | "rollback", base?: Json): Json | undefined {
  const get = (name: string) => (flags as Record<string, string | undefined>)[`${kind}${name}`];
  const given = ["Parallelism", "Delay", "Monitor", "FailureAction", "MaxFailureRatio", "Order"].some((name) => get(name) !== undefined);
  if (!given) return base;
  checkChoice(`--${kind}-failure-action`, get("FailureAction"), kind === "update" ? ["pause", "continue", "rollback"] : ["pause", "continue"]);
  checkChoice(`--${kind}-order`, get("Order"), ORDERS);
  const config: Json = { ...(base ?? SPEC_DEFAULTS.update) };
  const value = (name: string) => get(name)!;
  if (get("Parallelism") !== undefined) config.Parallelism = reader.uint(`--${kind}-parallelism`, value("Parallelism"));
  if (get("Delay") !== undefined) config.Delay = reader.duration(`--${kind}-delay`, value("Delay"));
  if (get("Monitor") !== undefined) config.Monitor = reader.duration(`--${kind}-monitor`, value("Monitor"));
  if (get("FailureAction") !== undefined) config.FailureAction = value("FailureAction");
  if (get("MaxFailureRatio") !== undefined) config.MaxFailureRatio = reader.float(`--${kind}-max-failure-ratio`, value("MaxFailureRatio"));
  if (get("Order") !== undefined) config.Order = value("Order");
  if (!config.Delay) delete config.Delay;
  if (!config.Monitor) delete config.Monitor;
  return config;
}

/** `RestartPolicy` from the `--restart-*` flags, on top of `base` (swarmkit's defaults when none): absent unless one is given. */
export function restartPolicyFrom(reader: FlagReader, flags: ServiceFlags, base?: Json): Json | undefined {
  if ([flags.restartCondition, flags.restartDelay, flags.restartMaxAttempts, flags.restartWindow].every((value) => value === undefined)) return base;
  checkChoice("--restart-condition", flags.restartCondition, RESTART_CONDITIONS);
  const policy: Json = { ...(base ?? SPEC_DEFAULTS.restart) };
  if (flags.restartCondition !== undefined) policy.Condition = flags.restartCondition;
  if (flags.restartDelay !== undefined) policy.Delay = reader.duration("--restart-delay", flags.restartDelay);
  if (flags.restartMaxAttempts !== undefined) policy.MaxAttempts = reader.uint("--restart-max-attempts", flags.restartMaxAttempts);
  if (flags.restartWindow !== undefined) policy.Window = reader.duration("--restart-window", flags.restartWindow);
  return policy;
}

/** The health check of the `--health-*` flags (docker's toHealthConfig): absent unless one is given. */
export function healthcheckFrom(reader: FlagReader, flags: ServiceFlags): Json | undefined {
  const interval = flags.healthInterval === undefined ? undefined : reader.duration("--health-interval", flags.healthInterval, true);
  const timeout = flags.healthTimeout === undefined ? undefined : reader.duration("--health-timeout", flags.healthTimeout, true);
  const startPeriod = flags.healthStartPeriod === undefined ? undefined : reader.duration("--health-start-period", flags.healthStartPeriod, true);
  const startInterval = flags.healthStartInterval === undefined ? undefined : reader.duration("--health-start-interval", flags.healthStartInterval, true);
  const retries = flags.healthRetries === undefined ? 0 : reader.int("--health-retries", flags.healthRetries);
  const any = Boolean(flags.healthCmd) || interval !== undefined || timeout !== undefined || startPeriod !== undefined || startInterval !== undefined || retries !== 0;
  if (flags.healthcheck === false) {
    if (any) throw new CliError("--no-healthcheck conflicts with --health-* options");
    return { Test: ["NONE"] };
  }
  if (!any) return undefined;
  return {
    ...(flags.healthCmd ? { Test: ["CMD-SHELL", flags.healthCmd] } : {}),
    ...(interval ? { Interval: interval } : {}),
    ...(timeout ? { Timeout: timeout } : {}),
    ...(startPeriod ? { StartPeriod: startPeriod } : {}),
    ...(startInterval ? { StartInterval: startInterval } : {}),
    ...(retries ? { Retries: retries } : {}),
  };
}

/** The `Mode` of `--mode` and `--replicas` (docker's ToServiceMode). */
function serviceMode(reader: FlagReader, flags: ServiceFlags): Json {
  const replicas = flags.replicas === undefined ? undefined : reader.uint("--replicas", flags.replicas);
  const concurrent = flags.maxConcurrent === undefined ? undefined : reader.uint("--max-concurrent", flags.maxConcurrent);
  const maxReplicas = flags.replicasMaxPerNode === undefined ? 0 : reader.uint("--replicas-max-per-node", flags.replicasMaxPerNode);
  const mode = flags.mode ?? "replicated";
  const noReplicas = () => {
    if (replicas !== undefined) throw new CliError("replicas can only be used with replicated or replicated-job mode");
  };
  const noMaxPerNode = () => {
    if (maxReplicas > 0) throw new CliError("replicas-max-per-node can only be used with replicated or replicated-job mode");
  };
  const noConcurrent = () => {
    if (concurrent !== undefined) throw new CliError("max-concurrent can only be used with replicated-job mode");
  };
  switch (mode) {
    case "global":
      noReplicas();
      noMaxPerNode();
      noConcurrent();
      return { Global: {} };
    case "replicated":
      noConcurrent();
      return { Replicated: replicas === undefined ? {} : { Replicas: replicas } };
    case "replicated-job": {
      const max = concurrent ?? replicas;
      return { ReplicatedJob: { ...(max ? { MaxConcurrent: max } : {}), ...(replicas ? { TotalCompletions: replicas } : {}) } };
    }
    case "global-job":
      noMaxPerNode();
      noConcurrent();
      noReplicas();
      return { GlobalJob: {} };
    default:
      throw new CliError(`unknown mode: ${mode}, only replicated and global supported`);
  }
}

/** Splits `--entrypoint "a b"` as docker's ShlexOpt does (quotes and backslashes). */
export function shellSplit(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let quote: string | undefined;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (char === "\\" && quote === '"' && index + 1 < text.length) word = (word ?? "") + text[++index];
      else word = (word ?? "") + char;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= "";
    } else if (char === "\\" && index + 1 < text.length) word = (word ?? "") + text[++index];
    else if (/\s/.test(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? "") + char;
  }
  if (quote) throw new CliError("EOF found when expecting closing quote");
  if (word !== undefined) words.push(word);
  return words;
}

/** Resources of the `--limit-*`/`--reserve-*` flags: always both objects, as docker sends them. */
function resources(reader: FlagReader, flags: ServiceFlags): Json {
  const limits: Json = {};
  const reservations: Json = {};
  if (flags.limitCpu !== undefined) limits.NanoCPUs = reader.nanoCpus("--limit-cpu", flags.limitCpu);
  if (flags.limitMemory !== undefined) limits.MemoryBytes = reader.memBytes("--limit-memory", flags.limitMemory);
  if (flags.limitPids !== undefined) limits.Pids = reader.int("--limit-pids", flags.limitPids);
  if (flags.reserveCpu !== undefined) reservations.NanoCPUs = reader.nanoCpus("--reserve-cpu", flags.reserveCpu);
  if (flags.reserveMemory !== undefined) reservations.MemoryBytes = reader.memBytes("--reserve-memory", flags.reserveMemory);
  for (const object of [limits, reservations]) for (const key of Object.keys(object)) if (!object[key]) delete object[key];
  return { Limits: limits, Reservations: reservations };
}

/**
 * Checks every flag value and builds the spec without a request (so bad values send nothing); the
 * secrets, configs and networks are looked up by {@link resolveServiceSpec}.
 */
export function buildServiceSpec(flags: ServiceFlags, image: string, args: string[], env: Record<string, string | undefined>): Json {
  const reader = new FlagReader("service create");
  const containerEnv = parseEnv(reader, flags.env ?? [], env);
  const mode = serviceMode(reader, flags);
  const healthcheck = healthcheckFrom(reader, flags);
  const updateConfig = updateConfigFrom(reader, flags, "update");
  const rollbackConfig = updateConfigFrom(reader, flags, "rollback");
  if (("ReplicatedJob" in mode || "GlobalJob" in mode) && (updateConfig || rollbackConfig)) {
    throw new CliError("update and rollback configuration is not supported for jobs");
  }
  const containerLabels = parseLabels(reader, "--container-label", flags.containerLabel ?? []);
  const mounts = (flags.mount ?? []).map((value) => parseServiceMount(reader, "--mount", value));
  const ports = (flags.publish ?? []).flatMap((value) => parsePublish(reader, "--publish", value));
  const preferences = (flags.placementPref ?? []).map((value) => parsePlacementPref(reader, value));
  const maxReplicas = flags.replicasMaxPerNode === undefined ? 0 : reader.uint("--replicas-max-per-node", flags.replicasMaxPerNode);
  const endpointMode = (flags.endpointMode ?? "vip").toLowerCase();
  const containerSpec: Json = {
    Image: image,
    ...(Object.keys(containerLabels).length > 0 ? { Labels: containerLabels } : {}),
    ...(flags.entrypoint !== undefined && shellSplit(flags.entrypoint).length > 0 ? { Command: shellSplit(flags.entrypoint) } : {}),
    ...(args.length > 0 ? { Args: args } : {}),
    ...(flags.hostname ? { Hostname: flags.hostname } : {}),
    ...(containerEnv.length > 0 ? { Env: containerEnv } : {}),
    ...(flags.workdir ? { Dir: flags.workdir } : {}),
    ...(flags.user ? { User: flags.user } : {}),
    Init: Boolean(flags.init),
    ...(flags.stopSignal ? { StopSignal: flags.stopSignal } : {}),
    ...(flags.tty ? { TTY: true } : {}),
    ...(flags.readOnly ? { ReadOnly: true } : {}),
    ...(mounts.length > 0 ? { Mounts: mounts } : {}),
    ...(flags.stopGracePeriod !== undefined ? { StopGracePeriod: reader.duration("--stop-grace-period", flags.stopGracePeriod) } : {}),
    ...(healthcheck ? { Healthcheck: healthcheck } : {}),
    DNSConfig: {},
  };
  const restartPolicy = restartPolicyFrom(reader, flags);
  const logOptions = parseLabels(reader, "--log-opt", flags.logOpt ?? []);
  const spec: Json = {
    ...(flags.name ? { Name: flags.name } : {}),
    Labels: parseLabels(reader, "--label", flags.label ?? []),
    TaskTemplate: {
      ContainerSpec: containerSpec,
      Resources: resources(reader, flags),
      ...(restartPolicy ? { RestartPolicy: restartPolicy } : {}),
      Placement: {
        ...(flags.constraint?.length ? { Constraints: flags.constraint } : {}),
        ...(preferences.length > 0 ? { Preferences: preferences } : {}),
        ...(maxReplicas ? { MaxReplicas: maxReplicas } : {}),
      },
      ...(flags.logDriver ? { LogDriver: { Name: flags.logDriver, ...(Object.keys(logOptions).length > 0 ? { Options: logOptions } : {}) } } : {}),
      ForceUpdate: 0,
    },
    Mode: mode,
    ...(updateConfig ? { UpdateConfig: updateConfig } : {}),
    ...(rollbackConfig ? { RollbackConfig: rollbackConfig } : {}),
    EndpointSpec: { ...(endpointMode ? { Mode: endpointMode } : {}), ...(ports.length > 0 ? { Ports: ports } : {}) },
  };
  return spec;
}

/** Adds the looked-up parts to a spec from {@link buildServiceSpec}: networks, then secrets and configs (docker's order). */
export async function resolveServiceSpec(ctx: CliContext, spec: Json, flags: ServiceFlags): Promise<void> {
  const reader = new FlagReader("service create");
  const secrets = (flags.secret ?? []).map((value) => parseFileReference(reader, "--secret", value));
  const configs = (flags.config ?? []).map((value) => parseFileReference(reader, "--config", value));
  const template = spec.TaskTemplate as Json;
  const networks = await resolveNetworks(ctx, reader, flags.network ?? []);
  if (networks.length > 0) {
    const { ContainerSpec, Resources, RestartPolicy, Placement, ...rest } = template;
    spec.TaskTemplate = { ContainerSpec, Resources, ...(RestartPolicy ? { RestartPolicy } : {}), Placement, Networks: networks, ...rest };
  }
  const container = (spec.TaskTemplate as Json).ContainerSpec as Json;
  if (secrets.length > 0) container.Secrets = await resolveFileReferences(ctx, "secret", secrets);
  if (configs.length > 0) container.Configs = await resolveFileReferences(ctx, "config", configs);
}
