import { CliError } from "../cli-error.ts";
import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import { inspectOutput } from "../format/inspect-output.ts";
import { formatList, shortId, type ListLayout } from "../format/list-format.ts";
import { confirm } from "../prompt.ts";

/** A network as `GET /networks` returns it (the fields the CLI reads). */
export interface NetworkSummary {
  Name: string;
  Id: string;
  Created?: string;
  Scope: string;
  Driver: string;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  Labels?: Record<string, string> | null;
}

/** `network ls` columns and headers (docker's NetworkContext). */
export const NETWORK_LAYOUT: ListLayout = {
  defaultTable: "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}",
  headers: { ID: "NETWORK ID", Name: "NAME", Driver: "DRIVER", Scope: "SCOPE", IPv6: "IPV6", Internal: "INTERNAL", Labels: "LABELS", Label: "LABEL", CreatedAt: "CREATED AT" },
};

/** Flags of `shoal network create`. */
export interface NetworkCreateOptions {
  driver?: string;
  opt?: string[];
  label?: string[];
  subnet?: string[];
  gateway?: string[];
  ipRange?: string[];
  ipamDriver?: string;
  internal?: boolean;
  attachable?: boolean;
  ipv6?: boolean;
  scope?: string;
}

function pairs(list: string[] = []): Record<string, string> {
  return Object.fromEntries(list.map((item) => (item.includes("=") ? [item.slice(0, item.indexOf("=")), item.slice(item.indexOf("=") + 1)] : [item, ""])));
}

/** IPAM pools from `--subnet`, `--gateway` and `--ip-range`, matched up as docker's consolidateIpam does. */
export function ipamConfig(options: NetworkCreateOptions): { Subnet: string; IPRange?: string; Gateway?: string }[] {
  const subnets = options.subnet ?? [];
  const gateways = options.gateway ?? [];
  const ranges = options.ipRange ?? [];
  if (subnets.length < gateways.length) throw new CliError("every ip-range or gateway must have a corresponding subnet");
  if (subnets.length < ranges.length) throw new CliError("every ip-range or gateway must have a corresponding subnet");
  return subnets.map((subnet, index) => {
    const pool: { Subnet: string; IPRange?: string; Gateway?: string } = { Subnet: subnet };
    if (ranges[index]) pool.IPRange = ranges[index];
    if (gateways[index]) pool.Gateway = gateways[index];
    return pool;
  });
}

/** `shoal network create [OPTIONS] NETWORK`: creates a network and prints its ID. */
export async function networkCreateCommand(ctx: CliContext, name: string, options: NetworkCreateOptions): Promise<void> {
  const body = {
    Name: name,
    Driver: options.driver ?? "bridge",
    Scope: options.scope ?? "",
    EnableIPv6: options.ipv6 ? true : undefined,
    IPAM: { Driver: options.ipamDriver ?? "default", Config: ipamConfig(options), Options: {} },
    Internal: Boolean(options.internal),
    Attachable: Boolean(options.attachable),
    Ingress: false,
    ConfigOnly: false,
    Options: pairs(options.opt),
    Labels: pairs(options.label),
  };
  const created = await ctx.client.json<{ Id: string; Warning?: string }>("POST", "/networks/create", { body });
  if (created.Warning) ctx.err(`Warning: ${created.Warning}\n`);
  ctx.out(`${created.Id}\n`);
}

/** `shoal network ls [-q] [--no-trunc] [-f FILTER] [--format F]`. */
export async function networkLsCommand(ctx: CliContext, options: { quiet?: boolean; noTrunc?: boolean; filter?: string[]; format?: string }): Promise<void> {
  const networks = await ctx.client.json<NetworkSummary[]>("GET", "/networks", { query: { filters: filtersQuery(options.filter) } });
  networks.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  const id = (network: NetworkSummary) => (options.noTrunc ? network.Id : shortId(network.Id));
  if (options.quiet) {
    ctx.out(networks.map((network) => `${id(network)}\n`).join(""));
    return;
  }
  const rows = networks.map((network) => {
    const labels = network.Labels ?? {};
    return {
      ID: id(network),
      Name: network.Name,
      Driver: network.Driver,
      Scope: network.Scope,
      IPv6: String(Boolean(network.EnableIPv6)),
      Internal: String(Boolean(network.Internal)),
      Labels: Object.entries(labels)
        .map(([key, value]) => `${key}=${value}`)
        .join(","),
      CreatedAt: network.Created ?? "",
      Label: (key: string) => labels[key] ?? "",
    };
  });
  ctx.out(formatList(options.format, NETWORK_LAYOUT, rows));
}

/** `shoal network inspect [-f FORMAT] NETWORK...`. */
export async function networkInspectCommand(ctx: CliContext, names: string[], options: { format?: string }): Promise<void> {
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    try {
      found.push(await ctx.client.json("GET", `/networks/${encodeURIComponent(name)}`));
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      errors.push(error.message);
    }
  }
  ctx.out(inspectOutput(found, options.format));
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}

/** `shoal network rm NETWORK...`: removes networks, printing each name; failures reported at the end. */
export async function networkRmCommand(ctx: CliContext, names: string[], options: { force?: boolean }): Promise<void> {
  const errors: string[] = [];
  for (const name of names) {
    try {
      await ctx.client.request("DELETE", `/networks/${encodeURIComponent(name)}`);
      ctx.out(`${name}\n`);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      if (options.force && error.message.includes("not found")) continue;
      errors.push(error.message);
    }
  }
  if (errors.length > 0) throw new CliError(errors.join("\n"));
}

/** `shoal network connect [--alias A] [--ip IP] NETWORK CONTAINER`. */
export async function networkConnectCommand(ctx: CliContext, network: string, container: string, options: { alias?: string[]; ip?: string; ip6?: string }): Promise<void> {
  const endpoint: Record<string, unknown> = {};
  if (options.ip || options.ip6) endpoint.IPAMConfig = { IPv4Address: options.ip ?? "", IPv6Address: options.ip6 ?? "" };
  if (options.alias?.length) endpoint.Aliases = options.alias;
  await ctx.client.request("POST", `/networks/${encodeURIComponent(network)}/connect`, { body: { Container: container, EndpointConfig: endpoint } });
}

/** `shoal network disconnect [-f] NETWORK CONTAINER`. */
export async function networkDisconnectCommand(ctx: CliContext, network: string, container: string, options: { force?: boolean }): Promise<void> {
  await ctx.client.request("POST", `/networks/${encodeURIComponent(network)}/disconnect`, { body: { Container: container, Force: Boolean(options.force) } });
}

/** `shoal network prune [-f] [--filter F]`: removes networks no container uses. */
export async function networkPruneCommand(ctx: CliContext, options: { force?: boolean; filter?: string[] }): Promise<void> {
  if (!options.force && !(await confirm(ctx.streams, "WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?"))) {
    throw new CliError("network prune has been cancelled");
  }
  const report = await ctx.client.json<{ NetworksDeleted: string[] | null }>("POST", "/networks/prune", { query: { filters: filtersQuery(options.filter) } });
  const deleted = report.NetworksDeleted ?? [];
  if (deleted.length > 0) ctx.out(`Deleted Networks:\n${deleted.map((name) => `${name}\n`).join("")}`);
}
