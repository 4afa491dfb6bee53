import { Hono } from "hono";
import { ShoalError } from "../../lib/index.ts";
import type { ApiEnv, NetworkCreateOptions, NetworkResource, NetworkSource } from "../api-env.ts";
import { checkFilterNames, parseFilters } from "../filters.ts";
import { readJsonObject } from "../json-body.ts";

/** Docker's networks that always exist and cannot be removed. */
export const PREDEFINED_NETWORK_NAMES: readonly string[] = ["bridge", "host", "none"];

const LIST_FILTERS = ["name", "id", "driver", "label", "type", "scope", "dangling"];
const PRUNE_FILTERS = ["label", "label!", "until"];

/** True when `labels` match a `label` filter value (`key` or `key=value`). */
function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const at = filter.indexOf("=");
  if (at < 0) return filter in labels;
  return labels[filter.slice(0, at)] === filter.slice(at + 1);
}

function isTrue(value: string, filter: string): boolean {
  if (["true", "1"].includes(value.toLowerCase())) return true;
  if (["false", "0"].includes(value.toLowerCase())) return false;
  throw new ShoalError("invalid_argument", `invalid filter '${filter}=${value}'`);
}

/** Docker's `GET /networks` filters: name (substring), id (prefix), driver, label, type (custom/builtin), scope, dangling. */
export function filterNetworks(networks: readonly NetworkResource[], filters: Record<string, string[]>): NetworkResource[] {
  checkFilterNames(filters, LIST_FILTERS);
  for (const type of filters.type ?? []) {
    if (type !== "custom" && type !== "builtin") throw new ShoalError("invalid_argument", `invalid filter: 'type'='${type}'`);
  }
  const any = (name: string, test: (value: string) => boolean) => !filters[name]?.length || filters[name]!.some(test);
  return networks.filter(
    (network) =>
      any("name", (value) => network.Name.includes(value)) &&
      any("id", (value) => network.Id.startsWith(value)) &&
      any("driver", (value) => network.Driver === value) &&
      (filters.label ?? []).every((value) => labelMatches(network.Labels, value)) &&
      any("type", (value) => (value === "builtin") === PREDEFINED_NETWORK_NAMES.includes(network.Name)) &&
      any("scope", (value) => network.Scope === value) &&
      any("dangling", (value) => isTrue(value, "dangling") === (Object.keys(network.Containers).length === 0 && !PREDEFINED_NETWORK_NAMES.includes(network.Name))),
  );
}

/** Parses docker's `until` filter: a Unix time, an RFC 3339 date or a duration before now (`24h`, `10m`). */
function untilTime(value: string): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const duration = /^(\d+)(h|m|s)$/.exec(value);
  if (duration) return Date.now() - Number(duration[1]) * { h: 3_600_000, m: 60_000, s: 1000 }[duration[2] as "h" | "m" | "s"];
  const date = Date.parse(value);
  if (Number.isNaN(date)) throw new ShoalError("invalid_argument", `invalid filter 'until=${value}': use a timestamp, a date or a duration such as 24h`);
  return date;
}

function stringMap(body: Record<string, unknown>, field: string): Record<string, string> {
  const value = body[field];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value) || !Object.values(value).every((item) => typeof item === "string")) {
    throw new ShoalError("invalid_argument", `invalid network create request: ${field} must be an object of string values`);
  }
  return value as Record<string, string>;
}

/** Reads and checks `POST /networks/create`'s body. */
export function networkCreateOptions(body: Record<string, unknown>): NetworkCreateOptions {
  const name = body.Name;
  if (typeof name !== "string" || name.trim() === "") throw new ShoalError("invalid_argument", "network name must be given (Name)");
  const driver = body.Driver === undefined || body.Driver === null || body.Driver === "" ? "bridge" : body.Driver;
  if (driver !== "bridge") {
    throw new ShoalError("unimplemented", `network driver ${JSON.stringify(driver)} is not supported: only local bridge networks can be created (--driver bridge)`);
  }
  if (body.EnableIPv6 === true) throw new ShoalError("unimplemented", "IPv6 networks are not supported: create the network without --ipv6");
  if (body.Scope === "swarm" || body.Attachable === true || body.Ingress === true) {
    throw new ShoalError("unimplemented", "swarm-scoped, attachable and ingress networks are not supported: create a local bridge network");
  }
  if (body.ConfigOnly === true || (body.ConfigFrom !== undefined && body.ConfigFrom !== null)) {
    throw new ShoalError("unimplemented", "config-only networks are not supported: create the network directly");
  }
  const ipam = (body.IPAM ?? {}) as { Driver?: unknown; Config?: unknown };
  if (ipam.Driver !== undefined && ipam.Driver !== "" && ipam.Driver !== "default") {
    throw new ShoalError("unimplemented", `IPAM driver ${JSON.stringify(ipam.Driver)} is not supported: use the default one`);
  }
  const configs = Array.isArray(ipam.Config) ? (ipam.Config as Record<string, unknown>[]) : [];
  if (configs.length > 1) throw new ShoalError("unimplemented", "only one subnet per network is supported: give at most one --subnet");
  const config = configs[0] ?? {};
  for (const field of ["IPRange", "AuxiliaryAddresses"]) {
    const value = config[field];
    if (value !== undefined && value !== null && value !== "" && !(typeof value === "object" && Object.keys(value).length === 0)) {
      throw new ShoalError("unimplemented", `IPAM ${field} is not supported: give only --subnet and --gateway`);
    }
  }
  const optional = (value: unknown, field: string) => {
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") throw new ShoalError("invalid_argument", `invalid network create request: ${field} must be a string`);
    return value;
  };
  const subnet = optional(config.Subnet, "Subnet");
  const gateway = optional(config.Gateway, "Gateway");
  if (gateway !== undefined && subnet === undefined) throw new ShoalError("invalid_argument", "a gateway needs a subnet: give --subnet too");
  return { Name: name, Driver: "bridge", Internal: body.Internal === true, Subnet: subnet, Gateway: gateway, Labels: stringMap(body, "Labels"), Options: stringMap(body, "Options") };
}

/** Local networks: list, inspect, create, remove, prune, connect and disconnect a container. */
export function networkRoutes(deps: {
  networks: NetworkSource;
  connectContainer(container: string, network: string): Promise<void>;
  disconnectContainer(container: string, network: string): Promise<void>;
}): Hono<ApiEnv> {
  const remove = (idOrName: string) => {
    const network = deps.networks.get(idOrName);
    if (PREDEFINED_NETWORK_NAMES.includes(network.Name)) throw new ShoalError("permission_denied", `${network.Name} is a pre-defined network and cannot be removed`);
    if (Object.keys(network.Containers).length > 0) {
      throw new ShoalError("permission_denied", `error while removing network: network ${network.Name} id ${network.Id} has active endpoints`);
    }
    deps.networks.remove(network.Id);
  };
  return new Hono<ApiEnv>()
    .get("/networks", (c) => c.json(filterNetworks(deps.networks.list(), parseFilters(c.req.query("filters")))))
    .post("/networks/create", async (c) => c.json(deps.networks.create(networkCreateOptions(await readJsonObject(c))), 201))
    .post("/networks/prune", (c) => {
      const filters = parseFilters(c.req.query("filters"));
      checkFilterNames(filters, PRUNE_FILTERS);
      const before = Math.min(...(filters.until ?? []).map(untilTime), Infinity);
      const removed: string[] = [];
      for (const network of deps.networks.list()) {
        if (PREDEFINED_NETWORK_NAMES.includes(network.Name) || Object.keys(network.Containers).length > 0) continue;
        if (!(filters.label ?? []).every((value) => labelMatches(network.Labels, value))) continue;
        if ((filters["label!"] ?? []).some((value) => labelMatches(network.Labels, value))) continue;
        if (Date.parse(network.Created) >= before) continue;
        try {
          remove(network.Id);
          removed.push(network.Name);
        } catch (error) {
          if (!(error instanceof ShoalError)) throw error; // in use since the listing: keep it
        }
      }
      return c.json({ NetworksDeleted: removed });
    })
    .get("/networks/:id", (c) => c.json(deps.networks.get(c.req.param("id"))))
    .delete("/networks/:id", (c) => {
      remove(c.req.param("id"));
      return c.body(null, 204);
    })
    .post("/networks/:id/connect", async (c) => {
      const body = await readJsonObject(c);
      if (typeof body.Container !== "string" || body.Container === "") throw new ShoalError("invalid_argument", "give the container to connect (Container)");
      const network = deps.networks.get(c.req.param("id"));
      await deps.connectContainer(body.Container, network.Name);
      return c.body(null, 200);
    })
    .post("/networks/:id/disconnect", async (c) => {
      const body = await readJsonObject(c);
      if (typeof body.Container !== "string" || body.Container === "") throw new ShoalError("invalid_argument", "give the container to disconnect (Container)");
      const network = deps.networks.get(c.req.param("id"));
      await deps.disconnectContainer(body.Container, network.Name);
      return c.body(null, 200);
    });
}
