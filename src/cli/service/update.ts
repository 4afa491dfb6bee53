import type { Mount, PortConfig, Service } from "../../types/index.ts";
import { registryAuthHeaders } from "../auth/docker-config.ts";
import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { pinImage, taggedImage } from "./image-ref.ts";
import { serviceProgress } from "./progress.ts";
import { detachFlag, FlagReader, type ServiceFlags } from "./service-flags.ts";
import { healthcheckFrom, restartPolicyFrom, shellSplit, updateConfigFrom, type Json } from "./service-spec.ts";
import { parseEnv, parseLabels, parsePublish, parseServiceMount } from "./spec-parts.ts";

/** Flags that may go with `--rollback` (docker refuses any other). */
const ROLLBACK_COMPANIONS = new Set(["rollback", "detach", "detach=false", "detach=true", "quiet", "endpointMode", "healthcheck", "resolveImage"]);

/** Applies `--*-add` / `--*-rm` on a map: removals first, as docker's updateLabels does. */
function updateMap(map: Record<string, string> | undefined, add: Record<string, string>, remove: readonly string[]): Record<string, string> | undefined {
  if (remove.length === 0 && Object.keys(add).length === 0) return map;
  const result = { ...map };
  for (const key of remove) delete result[key];
  Object.assign(result, add);
  return result;
}

/** Changes `spec` as docker's updateService does for the flags given. */
function updateSpec(reader: FlagReader, spec: Json, flags: ServiceFlags, env: Record<string, string | undefined>): void {
  const template = (spec.TaskTemplate ??= {}) as Json;
  const container = (template.ContainerSpec ??= {}) as Json;
  spec.Labels = updateMap(spec.Labels as Record<string, string>, parseLabels(reader, "--label-add", flags.labelAdd ?? []), flags.labelRm ?? []) ?? {};
  const labels = updateMap(container.Labels as Record<string, string>, parseLabels(reader, "--container-label-add", flags.containerLabelAdd ?? []), flags.containerLabelRm ?? []);
  if (labels) container.Labels = labels;
  if (flags.image !== undefined) container.Image = flags.image;
  if (flags.args !== undefined) container.Args = shellSplit(flags.args);
  if (flags.entrypoint !== undefined) container.Command = shellSplit(flags.entrypoint);
  if (flags.envAdd?.length || flags.envRm?.length) {
    const removed = new Set(flags.envRm ?? []);
    const added = parseEnv(reader, flags.envAdd ?? [], env);
    const addedKeys = new Set(added.map((entry) => entry.split("=")[0]));
    const kept = ((container.Env as string[]) ?? []).filter((entry) => {
      const key = entry.split("=")[0]!;
      return !removed.has(key) && !removed.has(entry) && !addedKeys.has(key);
    });
    container.Env = [...kept, ...added].sort();
  }
  if (flags.workdir !== undefined) container.Dir = flags.workdir;
  if (flags.user !== undefined) container.User = flags.user;
  if (flags.hostname !== undefined) container.Hostname = flags.hostname;
  if (flags.init) container.Init = true;
  if (flags.stopSignal !== undefined) container.StopSignal = flags.stopSignal;
  if (flags.stopGracePeriod !== undefined) container.StopGracePeriod = reader.duration("--stop-grace-period", flags.stopGracePeriod);
  if (flags.mountAdd?.length || flags.mountRm?.length) {
    const added = (flags.mountAdd ?? []).map((value) => parseServiceMount(reader, "--mount-add", value));
    const removed = new Set([...(flags.mountRm ?? []), ...added.map((mount) => mount.Target)]);
    container.Mounts = [...((container.Mounts as Mount[]) ?? []).filter((mount) => !removed.has(mount.Target)), ...added];
  }
  const health = healthcheckFrom(reader, flags);
  if (health) container.Healthcheck = health;
  const resources = (key: "Limits" | "Reservations") => (((template.Resources ??= {}) as Json)[key] ??= {}) as Json;
  if (flags.limitCpu !== undefined) resources("Limits").NanoCPUs = reader.nanoCpus("--limit-cpu", flags.limitCpu);
  if (flags.limitMemory !== undefined) resources("Limits").MemoryBytes = reader.memBytes("--limit-memory", flags.limitMemory);
  if (flags.limitPids !== undefined) resources("Limits").Pids = reader.int("--limit-pids", flags.limitPids);
  if (flags.reserveCpu !== undefined) resources("Reservations").NanoCPUs = reader.nanoCpus("--reserve-cpu", flags.reserveCpu);
  if (flags.reserveMemory !== undefined) resources("Reservations").MemoryBytes = reader.memBytes("--reserve-memory", flags.reserveMemory);
  const restart = restartPolicyFrom(reader, flags, template.RestartPolicy as Json | undefined);
  if (restart) template.RestartPolicy = restart;
  if (flags.constraintAdd?.length || flags.constraintRm?.length) {
    const placement = (template.Placement ??= {}) as Json;
    const removed = new Set(flags.constraintRm ?? []);
    const constraints = ((placement.Constraints as string[]) ?? []).filter((constraint) => !removed.has(constraint));
    for (const constraint of flags.constraintAdd ?? []) if (!constraints.includes(constraint)) constraints.push(constraint);
    placement.Constraints = constraints.sort();
  }
  if (flags.replicasMaxPerNode !== undefined) ((template.Placement ??= {}) as Json).MaxReplicas = reader.uint("--replicas-max-per-node", flags.replicasMaxPerNode);
  if (flags.replicas !== undefined) {
    const replicas = reader.uint("--replicas", flags.replicas);
    const mode = spec.Mode as { Replicated?: Json; ReplicatedJob?: Json };
    if (mode.Replicated) mode.Replicated.Replicas = replicas;
    else if (mode.ReplicatedJob) mode.ReplicatedJob.TotalCompletions = replicas;
    else throw new CliError("replicas can only be used with replicated or replicated-job mode");
  }
  const update = updateConfigFrom(reader, flags, "update", spec.UpdateConfig as Json | undefined);
  if (update) spec.UpdateConfig = update;
  const rollback = updateConfigFrom(reader, flags, "rollback", spec.RollbackConfig as Json | undefined);
  if (rollback) spec.RollbackConfig = rollback;
  if (flags.publishAdd?.length || flags.publishRm?.length || flags.endpointMode !== undefined) {
    const endpoint = (spec.EndpointSpec ??= {}) as Json;
    if (flags.endpointMode !== undefined) endpoint.Mode = flags.endpointMode.toLowerCase();
    const added = (flags.publishAdd ?? []).flatMap((value) => parsePublish(reader, "--publish-add", value));
    const removed = (flags.publishRm ?? []).flatMap((value) => parsePublish(reader, "--publish-rm", value.includes("=") || value.includes(":") ? value : `${value}`));
    const same = (a: PortConfig, b: PortConfig) => a.TargetPort === b.TargetPort && a.Protocol === b.Protocol;
    const ports = ((endpoint.Ports as PortConfig[]) ?? []).filter((port) => !removed.some((gone) => same(gone, port)) && !added.some((fresh) => (fresh.PublishedPort ?? 0) === (port.PublishedPort ?? 0) && fresh.Protocol === port.Protocol));
    ports.push(...added);
    ports.sort((a, b) => (a.TargetPort !== b.TargetPort ? a.TargetPort - b.TargetPort : (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0)));
    endpoint.Ports = ports;
  }
  if (flags.force) template.ForceUpdate = Number(template.ForceUpdate ?? 0) + 1;
}

/**
 * `shoal service update [OPTIONS] SERVICE`: `GET /services/{id}`, the spec changed by the flags,
 * then `POST /services/{id}/update?registryAuthFrom=spec&rollback=none&version=N`; prints SERVICE
 * and, unless `-d`, follows it until it converges.
 */
export async function serviceUpdateCommand(ctx: CliContext, ref: string, flags: ServiceFlags): Promise<void> {
  const reader = new FlagReader("service update");
  if (flags.rollback) {
    const others = Object.entries(flags).filter(([key, value]) => value !== undefined && !ROLLBACK_COMPANIONS.has(key));
    if (others.length > 0) throw new CliError("other flags may not be combined with --rollback");
  }
  const service = await ctx.client.json<Service>("GET", `/services/${encodeURIComponent(ref)}`);
  const spec = structuredClone(service.Spec) as unknown as Json;
  updateSpec(reader, spec, flags, ctx.env);
  const template = spec.TaskTemplate as Json;
  const container = template.ContainerSpec as { Image: string };
  const headers = flags.withRegistryAuth ? registryAuthHeaders(container.Image, ctx.env) : {};
  container.Image = taggedImage(container.Image);
  const warnings: string[] = [];
  if (flags.image !== undefined && flags.resolveImage !== false) {
    const warning = await pinImage(ctx, template, headers);
    if (warning) warnings.push(warning);
  }
  await sendUpdate(ctx, service, spec, { registryAuthFrom: flags.withRegistryAuth ? undefined : "spec", rollback: flags.rollback ? "previous" : "none", headers, warnings });
  ctx.out(`${ref}\n`);
  // docker follows the service by the name or ID it was given (its "verify: Service <ref> converged").
  if (!detachFlag(flags)) await serviceProgress(ctx, ref, Boolean(flags.quiet));
}

/** `POST /services/{id}/update` with docker's query, printing the warnings. */
async function sendUpdate(
  ctx: CliContext,
  service: Service,
  spec: unknown,
  options: { registryAuthFrom?: string; rollback?: string; headers?: Record<string, string>; warnings?: string[] },
): Promise<void> {
  const response = await ctx.client.json<{ Warnings?: string[] | null }>("POST", `/services/${encodeURIComponent(service.ID)}/update`, {
    query: { registryAuthFrom: options.registryAuthFrom, rollback: options.rollback, version: service.Version?.Index ?? 0 },
    body: spec,
    headers: options.headers,
  });
  for (const warning of [...(options.warnings ?? []), ...(response.Warnings ?? [])]) ctx.err(`${warning}\n`);
}

/** `shoal service rollback SERVICE`: the current spec sent back with `rollback=previous`; the daemon restores `PreviousSpec`. */
export async function serviceRollbackCommand(ctx: CliContext, ref: string, flags: ServiceFlags): Promise<void> {
  const service = await ctx.client.json<Service>("GET", `/services/${encodeURIComponent(ref)}`);
  await sendUpdate(ctx, service, service.Spec, { rollback: "previous" });
  ctx.out(`${ref}\n`);
  // docker follows the service by the name or ID it was given (its "verify: Service <ref> converged").
  if (!detachFlag(flags)) await serviceProgress(ctx, ref, Boolean(flags.quiet));
}
