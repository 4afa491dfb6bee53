import type { Service } from "../../types/index.ts";
import { humanDuration } from "../format/units.ts";
import { formatGoDuration } from "../go-duration.ts";

const sorted = (map: Record<string, string> | null | undefined) => Object.entries(map ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** `service inspect --pretty` for one service, following docker's serviceInspectPrettyTemplate for the fields shoal sets. */
export function prettyService(service: Service, networkNames: Map<string, string>, now = Date.now()): string {
  const spec = service.Spec;
  const template = spec.TaskTemplate;
  const container = template.ContainerSpec;
  const lines: string[] = ["", `ID:\t\t${service.ID}`, `Name:\t\t${spec.Name}`];
  if (Object.keys(spec.Labels ?? {}).length > 0) lines.push("Labels:", ...sorted(spec.Labels).map(([key, value]) => ` ${key}=${value}`));
  const mode = spec.Mode as { Replicated?: { Replicas?: number }; Global?: object; ReplicatedJob?: { MaxConcurrent?: number; TotalCompletions?: number }; GlobalJob?: object };
  if (mode.Global) lines.push("Service Mode:\tGlobal");
  else if (mode.GlobalJob) lines.push("Service Mode:\tGlobal Job");
  else if (mode.ReplicatedJob) lines.push("Service Mode:\tReplicated Job", ` Max Concurrent:\t${mode.ReplicatedJob.MaxConcurrent ?? 0}`, ` Total Completions:\t${mode.ReplicatedJob.TotalCompletions ?? 0}`);
  else lines.push("Service Mode:\tReplicated", ` Replicas:\t${mode.Replicated?.Replicas ?? 0}`);
  if (service.UpdateStatus) {
    lines.push("UpdateStatus:", ` State:\t\t${service.UpdateStatus.State}`);
    // docker: how long ago, and "Completed" only for a completed update (not a rollback).
    const ago = (time: string) => `${humanDuration((now - Date.parse(time)) * 1e6)} ago`;
    if (service.UpdateStatus.StartedAt) lines.push(` Started:\t${ago(service.UpdateStatus.StartedAt)}`);
    if (service.UpdateStatus.State === "completed" && service.UpdateStatus.CompletedAt) lines.push(` Completed:\t${ago(service.UpdateStatus.CompletedAt)}`);
    lines.push(` Message:\t${service.UpdateStatus.Message ?? ""}`);
  }
  const placement = template.Placement;
  lines.push("Placement:");
  if (placement?.Constraints?.length) lines.push(` Constraints:\t${JSON.stringify(placement.Constraints).replaceAll('","', " ").replace('["', "[").replace('"]', "]")}`);
  if (placement?.Preferences?.length) lines.push(` Preferences:   [${placement.Preferences.map((pref) => `spread=${pref.Spread.SpreadDescriptor}`).join(" ")}]`);
  if (placement?.MaxReplicas) lines.push(` Max Replicas Per Node:   ${placement.MaxReplicas}`);
  for (const [title, config] of [["UpdateConfig", spec.UpdateConfig], ["RollbackConfig", spec.RollbackConfig]] as const) {
    if (!config) continue;
    lines.push(`${title}:`, ` Parallelism:\t${config.Parallelism}`);
    if (config.Delay) lines.push(` Delay:\t\t${formatGoDuration(config.Delay)}`);
    lines.push(` On failure:\t${config.FailureAction ?? ""}`);
    if (config.Monitor) lines.push(` Monitoring Period: ${formatGoDuration(config.Monitor)}`);
    lines.push(` Max failure ratio: ${config.MaxFailureRatio}`, `${title === "UpdateConfig" ? " Update order:      " : " Rollback order:    "}${config.Order}`);
  }
  lines.push("ContainerSpec:", ` Image:\t\t${container?.Image ?? ""}`);
  // docker's template: each argument and variable followed by a space; Init whenever it is set.
  if (container?.Args?.length) lines.push(` Args:\t\t${container.Args.map((arg) => `${arg} `).join("")}`);
  if (container?.Env?.length) lines.push(` Env:\t\t${container.Env.map((env) => `${env} `).join("")}`);
  if (container?.Dir) lines.push(` Dir:\t\t${container.Dir}`);
  if (container?.Init !== undefined && container.Init !== null) lines.push(` Init:\t\t${container.Init}`);
  if (container?.User) lines.push(` User: ${container.User}`);
  if (container?.Mounts?.length) {
    lines.push("Mounts:");
    for (const mount of container.Mounts) lines.push(` Target:\t${mount.Target}`, `  Source:\t${mount.Source ?? ""}`, `  ReadOnly:\t${Boolean(mount.ReadOnly)}`, `  Type:\t\t${mount.Type}`);
  }
  const limits = template.Resources?.Limits;
  const reservations = template.Resources?.Reservations;
  if (limits?.NanoCPUs || limits?.MemoryBytes || reservations?.NanoCPUs || reservations?.MemoryBytes) {
    lines.push("Resources:");
    for (const [title, resources] of [["Reservations", reservations], ["Limits", limits]] as const) {
      if (!resources?.NanoCPUs && !resources?.MemoryBytes) continue;
      lines.push(` ${title}:`);
      if (resources.NanoCPUs) lines.push(`  CPU:\t\t${resources.NanoCPUs / 1e9}`);
      if (resources.MemoryBytes) lines.push(`  Memory:\t${bytes(resources.MemoryBytes)}`);
    }
  }
  if (template.Networks?.length) lines.push(`Networks: ${template.Networks.map((network) => networkNames.get(network.Target) ?? network.Target).join(" ")}`);
  lines.push(`Endpoint Mode:\t${service.Endpoint?.Spec?.Mode ?? spec.EndpointSpec?.Mode ?? "vip"}`);
  if (service.Endpoint?.Ports?.length) {
    lines.push("Ports:");
    for (const port of service.Endpoint.Ports) {
      lines.push(` PublishedPort = ${port.PublishedPort ?? 0}`, `  Protocol = ${port.Protocol}`, `  TargetPort = ${port.TargetPort}`, `  PublishMode = ${port.PublishMode}`);
    }
  }
  if (container?.Healthcheck) {
    lines.push(" Healthcheck:");
    const health = container.Healthcheck;
    if (health.Interval) lines.push(`  Interval = ${formatGoDuration(health.Interval)}`);
    if (health.Retries) lines.push(`  Retries = ${health.Retries}`);
    if (health.StartPeriod) lines.push(`  StartPeriod =\t${formatGoDuration(health.StartPeriod)}`);
    if (health.Timeout) lines.push(`  Timeout =\t${formatGoDuration(health.Timeout)}`);
    if (health.Test?.length) lines.push(`  Tests:`, ...health.Test.map((test) => `\t Test = ${test}`));
  }
  return `${lines.join("\n")}\n\n`;
}

/** Bytes as docker's units.BytesSize (`512MiB`). */
function bytes(value: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let size = value;
  let index = 0;
  while (size >= 1024 && index < units.length - 1) {
    size /= 1024;
    index++;
  }
  return `${Number(size.toPrecision(4))}${units[index]}`;
}
