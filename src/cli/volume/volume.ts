import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import { inspectOutput } from "../format/inspect-output.ts";
import { formatList, type ListLayout } from "../format/list-format.ts";
import { humanSize } from "../format/units.ts";
import { confirm } from "../prompt.ts";

/** A volume as the Engine API returns it. */
export interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  Scope: string;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
  CreatedAt?: string;
}

/** `volume ls` columns and headers (docker's VolumeContext). */
export const VOLUME_LAYOUT: ListLayout = {
  defaultTable: "table {{.Driver}}\t{{.Name}}",
  headers: { Name: "VOLUME NAME", Driver: "DRIVER", Scope: "SCOPE", Mountpoint: "MOUNTPOINT", Labels: "LABELS", Label: "LABEL", Links: "LINKS", Size: "SIZE" },
};

/** `shoal volume create [-d DRIVER] [-o OPT] [--label L] [NAME]`: creates a volume and prints its name. */
export async function volumeCreateCommand(ctx: CliContext, name: string | undefined, options: { name?: string; driver?: string; opt?: string[]; label?: string[] }): Promise<void> {
  if (name && options.name && name !== options.name) throw new CliError(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`);
  const pairs = (list: string[] = []) => Object.fromEntries(list.map((item) => (item.includes("=") ? [item.slice(0, item.indexOf("=")), item.slice(item.indexOf("=") + 1)] : [item, ""])));
  const volume = await ctx.client.json<Volume>("POST", "/volumes/create", {
    body: { Name: name ?? options.name ?? "", Driver: options.driver ?? "local", DriverOpts: pairs(options.opt), Labels: pairs(options.label) },
  });
  ctx.out(`${volume.Name}\n`);
}

/** `shoal volume ls [-q] [-f FILTER] [--format F]`: the volumes, as `docker volume ls` lists them. */
export async function volumeLsCommand(ctx: CliContext, options: { quiet?: boolean; filter?: string[]; format?: string }): Promise<void> {
  const reply = await ctx.client.json<{ Volumes: Volume[] | null; Warnings?: string[] | null }>("GET", "/volumes", { query: { filters: filtersQuery(options.filter) } });
  const volumes = [...(reply.Volumes ?? [])].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  if (options.quiet) {
    ctx.out(volumes.map((volume) => `${volume.Name}\n`).join(""));
    return;
  }
  const rows = volumes.map((volume) => {
    const labels = volume.Labels ?? {};
    return {
      Name: volume.Name,
      Driver: volume.Driver,
      Scope: volume.Scope,
      Mountpoint: volume.Mountpoint,
      Labels: Object.entries(labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(","),
      Links: "N/A",
      Size: "N/A",
      Label: (key: string) => labels[key] ?? "",
    };
  });
  ctx.out(formatList(options.format, VOLUME_LAYOUT, rows));
  for (const warning of reply.Warnings ?? []) ctx.err(`${warning}\n`);
}

/** `shoal volume inspect [-f FORMAT] VOLUME...`. */
export async function volumeInspectCommand(ctx: CliContext, names: string[], options: { format?: string }): Promise<void> {
  const found: Volume[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      found.push(await ctx.client.json<Volume>("GET", `/volumes/${encodeURIComponent(name)}`));
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      errors.push(error.message);
    }
  }
  ctx.out(inspectOutput(found, options.format));
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}

/** `shoal volume rm [-f] VOLUME...`: removes volumes, printing each name. */
export async function volumeRmCommand(ctx: CliContext, names: string[], options: { force?: boolean }): Promise<void> {
  const errors: string[] = [];
  for (const name of names) {
    try {
      await ctx.client.request("DELETE", `/volumes/${encodeURIComponent(name)}`, { query: { force: options.force ? 1 : undefined } });
      ctx.out(`${name}\n`);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      errors.push(error.message);
    }
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}

/** `shoal volume prune [-a] [-f] [--filter F]`: removes unused (anonymous, or all with -a) local volumes. */
export async function volumePruneCommand(ctx: CliContext, options: { all?: boolean; force?: boolean; filter?: string[] }): Promise<void> {
  const warning = options.all
    ? "WARNING! This will remove all local volumes not used by at least one container."
    : "WARNING! This will remove anonymous local volumes not used by at least one container.";
  if (!options.force && !(await confirm(ctx.streams, `${warning}\nAre you sure you want to continue?`))) {
    throw new CliError("volume prune has been cancelled");
  }
  const report = await ctx.client.json<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>("POST", "/volumes/prune", {
    query: { filters: filtersQuery(options.filter, options.all ? { all: ["true"] } : {}) },
  });
  const deleted = report.VolumesDeleted ?? [];
  if (deleted.length > 0) ctx.out(`Deleted Volumes:\n${deleted.map((name) => `${name}\n`).join("")}\n`);
  ctx.out(`Total reclaimed space: ${humanSize(report.SpaceReclaimed ?? 0)}\n`);
}
