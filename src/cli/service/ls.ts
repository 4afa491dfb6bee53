import type { Service } from "../../types/index.ts";
import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import { formatList, shortId, type ListLayout } from "../format/list-format.ts";
import { familiarTaggedImage } from "../node/task-table.ts";

/** Columns and headers of `service ls` (docker's serviceContext). */
export const SERVICE_LAYOUT: ListLayout = {
  defaultTable: "table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}",
  headers: { ID: "ID", Name: "NAME", Mode: "MODE", Replicas: "REPLICAS", Image: "IMAGE", Ports: "PORTS" },
};

/** The MODE column. */
function modeName(service: Service): string {
  const mode = service.Spec.Mode as Record<string, unknown>;
  if (mode.Global) return "global";
  if (mode.Replicated) return "replicated";
  if (mode.ReplicatedJob) return "replicated job";
  if (mode.GlobalJob) return "global job";
  return "";
}

/** The REPLICAS column from `ServiceStatus` (`2/3`, `1/1 (max 1 per node)`, jobs with their completions). */
function replicas(service: Service): string {
  const running = service.ServiceStatus?.RunningTasks ?? 0;
  const desired = service.ServiceStatus?.DesiredTasks ?? 0;
  const completed = service.ServiceStatus?.CompletedTasks ?? 0;
  const mode = service.Spec.Mode as { ReplicatedJob?: { TotalCompletions?: number }; GlobalJob?: object };
  if (mode.ReplicatedJob) return `${running}/${desired} (${completed}/${mode.ReplicatedJob.TotalCompletions ?? 0} completed)`;
  if (mode.GlobalJob) return `${running}/${desired} (${completed}/${desired + completed} completed)`;
  const max = modeName(service) === "replicated" ? (service.Spec.TaskTemplate.Placement?.MaxReplicas ?? 0) : 0;
  return max > 0 ? `${running}/${desired} (max ${max} per node)` : `${running}/${desired}`;
}

/** The PORTS column: ingress ports, consecutive ones folded into ranges (`*:8080-8081->80-81/tcp`). */
export function servicePorts(service: Service): string {
  const ports = [...(service.Endpoint?.Ports ?? [])]
    .filter((port) => port.PublishMode === "ingress")
    .sort((a, b) => (a.Protocol === b.Protocol ? (a.PublishedPort ?? 0) - (b.PublishedPort ?? 0) : a.Protocol < b.Protocol ? -1 : 1));
  const ranges: { pStart: number; pEnd: number; tStart: number; tEnd: number; protocol: string }[] = [];
  for (const port of ports) {
    const published = port.PublishedPort ?? 0;
    const last = ranges.at(-1);
    if (last && last.protocol === port.Protocol && published - last.pEnd === 1 && port.TargetPort - last.tEnd === 1) {
      last.pEnd = published;
      last.tEnd = port.TargetPort;
    } else ranges.push({ pStart: published, pEnd: published, tStart: port.TargetPort, tEnd: port.TargetPort, protocol: port.Protocol });
  }
  const span = (start: number, end: number) => (end > start ? `${start}-${end}` : `${start}`);
  return ranges.map((range) => `*:${span(range.pStart, range.pEnd)}->${span(range.tStart, range.tEnd)}/${range.protocol}`).join(", ");
}

/** `shoal service ls [-q] [-f] [--format]`: `GET /services?status=true`, sorted by name as docker does. */
export async function serviceLsCommand(ctx: CliContext, options: { quiet?: boolean; filter?: string[]; format?: string }): Promise<void> {
  const services = await ctx.client.json<Service[]>("GET", "/services", { query: { filters: filtersQuery(options.filter), status: options.quiet ? undefined : "true" } });
  services.sort((a, b) => (a.Spec.Name < b.Spec.Name ? -1 : a.Spec.Name > b.Spec.Name ? 1 : 0));
  const rows = services.map((service) => ({
    ID: shortId(service.ID),
    Name: service.Spec.Name,
    Mode: modeName(service),
    Replicas: replicas(service),
    Image: familiarTaggedImage(service.Spec.TaskTemplate.ContainerSpec?.Image ?? ""),
    Ports: servicePorts(service),
  }));
  if (options.quiet && !options.format) {
    ctx.out(rows.map((row) => `${row.ID}\n`).join(""));
    return;
  }
  ctx.out(formatList(options.format, SERVICE_LAYOUT, rows));
}
