import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import { ellipsis, formatList, parseTemplate, shortId, type ListLayout } from "../format/list-format.ts";
import { humanDuration, humanSize } from "../format/units.ts";
import type { ContainerSummary } from "./api-types.ts";
import { displayablePorts } from "./ports.ts";

/** Flags of `shoal ps`. */
export interface PsOptions {
  all?: boolean;
  quiet?: boolean;
  last?: string;
  latest?: boolean;
  noTrunc?: boolean;
  size?: boolean;
  filter?: string[];
  format?: string;
}

/** The fields `--format` may use and their headers (docker's ContainerContext). */
export const PS_LAYOUT: ListLayout = {
  defaultTable: "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}",
  headers: {
    ID: "CONTAINER ID",
    Image: "IMAGE",
    Command: "COMMAND",
    CreatedAt: "CREATED AT",
    RunningFor: "CREATED",
    Ports: "PORTS",
    State: "STATE",
    Status: "STATUS",
    Size: "SIZE",
    Names: "NAMES",
    Labels: "LABELS",
    Label: "LABEL",
    Mounts: "MOUNTS",
    LocalVolumes: "LOCAL VOLUMES",
    Networks: "NETWORKS",
  },
};

/** Go's `time.Time.String()` of a Unix time, in UTC: `2026-01-02 15:04:05 +0000 UTC`. */
function goTime(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "")} +0000 UTC`;
}

/** One container as `--format` sees it: docker's ContainerContext fields, all strings. */
export function containerRow(container: ContainerSummary, trunc: boolean, now = Date.now()) {
  const names = container.Names.map((name) => name.replace(/^\//, ""));
  const labels = container.Labels ?? {};
  const row = {
    Command: JSON.stringify(trunc ? ellipsis(container.Command, 20) : container.Command),
    CreatedAt: goTime(container.Created),
    ID: trunc ? shortId(container.Id) : container.Id,
    Image: container.Image || "<no image>",
    Labels: Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .sort()
      .join(","),
    LocalVolumes: String((container.Mounts ?? []).filter((mount) => mount.Driver === "local").length),
    Mounts: (container.Mounts ?? []).map((mount) => (trunc ? ellipsis(mount.Name || mount.Source || "", 15) : mount.Name || mount.Source || "")).join(","),
    Names: trunc ? (names.find((name) => !name.includes("/")) ?? "") : names.join(","),
    Networks: Object.keys(container.NetworkSettings?.Networks ?? {}).join(","),
    Ports: displayablePorts(container.Ports ?? []),
    RunningFor: `${humanDuration(Math.max(0, now / 1000 - container.Created) * 1e9)} ago`,
    Size:
      container.SizeRootFs && container.SizeRootFs > 0
        ? `${humanSize(container.SizeRw ?? 0)} (virtual ${humanSize(container.SizeRootFs)})`
        : humanSize(container.SizeRw ?? 0),
    State: container.State,
    Status: container.Status,
  };
  return Object.assign(row, { Label: (name: string) => labels[name] ?? "" });
}

/** `shoal ps`: the containers of this host, as `docker ps` lists them. */
export async function psCommand(ctx: CliContext, options: PsOptions): Promise<void> {
  let limit = options.last === undefined ? -1 : Number(options.last);
  if (options.latest && limit === -1) limit = 1;
  const format = options.format ?? "";
  let size = options.size ?? false;
  if (format && !options.quiet) {
    parseTemplate(format);
    if (/\.Size\b/.test(format)) size = true;
  }
  const containers = await ctx.client.json<ContainerSummary[]>("GET", "/containers/json", {
    query: {
      all: options.all ? 1 : undefined,
      limit: limit > 0 ? limit : undefined,
      size: size ? 1 : undefined,
      filters: filtersQuery(options.filter),
    },
  });
  const trunc = !options.noTrunc;
  if (options.quiet) {
    ctx.out(containers.map((container) => `${trunc ? shortId(container.Id) : container.Id}\n`).join(""));
    return;
  }
  const layout = size && (!format || format === "table") ? { ...PS_LAYOUT, defaultTable: `${PS_LAYOUT.defaultTable}\t{{.Size}}` } : PS_LAYOUT;
  ctx.out(formatList(format, layout, containers.map((container) => containerRow(container, trunc))));
}
