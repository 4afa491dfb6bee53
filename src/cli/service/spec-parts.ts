/**
 * Pieces of a service spec parsed from flag values as docker's opts do: env, labels, ports,
 * mounts, placement preferences, secrets, configs and networks (the last three looked up).
 */
import type { Mount, NetworkAttachmentConfig, PortConfig } from "../../types/index.ts";
import { parseRamBytes } from "../byte-size.ts";
import { CliError } from "../cli-error.ts";
import { MountSpecError, parseMount } from "../container/mount-specs.ts";
import { PortSpecError, parsePortSpecs } from "../container/port-specs.ts";
import type { CliContext } from "../context.ts";
import { filtersQuery } from "../filters.ts";
import type { FlagReader } from "./service-flags.ts";

/** `-e` values as docker's ValidateEnv and makeEnv leave them: `NAME` takes the CLI's own value, later ones replace earlier. */
export function parseEnv(reader: FlagReader, values: readonly string[], env: Record<string, string | undefined>): string[] {
  const result: string[] = [];
  for (const raw of values) {
    const equals = raw.indexOf("=");
    const key = equals < 0 ? raw : raw.slice(0, equals);
    if (key === "") throw reader.invalid("--env", raw, `invalid environment variable: ${raw}`);
    const value = equals < 0 && env[key] !== undefined ? `${key}=${env[key]}` : raw;
    if (result.includes(value)) continue;
    const kept = result.filter((current) => !current.startsWith(`${key}=`));
    result.length = 0;
    result.push(...kept, value);
  }
  return result;
}

/** `--label` values as a map (`a=b`, `a` → `a: ""`), refusing empty names as docker's ValidateLabel does. */
export function parseLabels(reader: FlagReader, flag: string, values: readonly string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const raw of values) {
    const equals = raw.indexOf("=");
    const key = equals < 0 ? raw : raw.slice(0, equals);
    if (key === "") throw reader.invalid(flag, raw, `invalid label '${raw}': empty name`);
    labels[key] = equals < 0 ? "" : raw.slice(equals + 1);
  }
  return labels;
}

/** One `--publish` value as docker's PortOpt reads it: long (`published=8080,target=80,mode=host`) or short (`8080:80/udp`). */
export function parsePublish(reader: FlagReader, flag: string, value: string): PortConfig[] {
  if (/\w+=\w+(,\w+=\w+)*/.test(value)) {
    const port: PortConfig = { Protocol: "tcp", TargetPort: 0, PublishMode: "ingress" };
    for (const field of value.split(",")) {
      const lower = field.toLowerCase();
      const equals = lower.indexOf("=");
      if (equals <= 0) throw reader.invalid(flag, value, `invalid field: ${field}`);
      const key = lower.slice(0, equals);
      const val = lower.slice(equals + 1);
      const portNumber = (what: string) => {
        if (!/^\d+$/.test(val)) throw reader.invalid(flag, value, `invalid ${what} port (${val}): value must be an integer: invalid syntax`);
        if (Number(val) > 65535) throw reader.invalid(flag, value, `invalid ${what} port (${val}): value must be an integer: value out of range`);
        return Number(val);
      };
      if (key === "protocol") {
        if (val !== "tcp" && val !== "udp" && val !== "sctp") throw reader.invalid(flag, value, `invalid protocol value '${val}'`);
        port.Protocol = val;
      } else if (key === "mode") {
        if (val !== "ingress" && val !== "host") throw reader.invalid(flag, value, `invalid publish mode value (${val}): must be either 'ingress' or 'host'`);
        port.PublishMode = val;
      } else if (key === "target") port.TargetPort = portNumber("target");
      else if (key === "published") port.PublishedPort = portNumber("published");
      else throw reader.invalid(flag, value, `invalid field key: ${key}`);
    }
    if (port.TargetPort === 0) throw reader.invalid(flag, value, "missing mandatory field 'target'");
    return [port];
  }
  let specs;
  try {
    specs = parsePortSpecs([value]);
  } catch (error) {
    if (error instanceof PortSpecError) throw reader.invalid(flag, value, error.message);
    throw error;
  }
  const ports: PortConfig[] = [];
  for (const [key, bindings] of Object.entries(specs.bindings)) {
    const [target, protocol] = key.split("/") as [string, PortConfig["Protocol"]];
    for (const binding of bindings) {
      if (binding.HostIp !== "") throw reader.invalid(flag, value, "hostip is not supported");
      const [first = "0", last = first] = binding.HostPort === "" ? [] : binding.HostPort.split("-");
      for (let published = Number(first); published <= Number(last); published++) {
        ports.push({ Protocol: protocol, TargetPort: Number(target), ...(published ? { PublishedPort: published } : {}), PublishMode: "ingress" });
      }
    }
  }
  return ports;
}

/** One `--mount` value as a swarm mount (docker's MountOpt): its errors are flag errors. */
export function parseServiceMount(reader: FlagReader, flag: string, value: string): Mount {
  try {
    const mount = parseMount(value, parseRamBytes);
    if (!mount.Target) throw new MountSpecError("target is required");
    return mount as Mount;
  } catch (error) {
    if (error instanceof MountSpecError) throw reader.invalid(flag, value, error.message);
    throw error;
  }
}

/** `--placement-pref spread=node.labels.zone` as docker's placementPrefOpts reads it. */
export function parsePlacementPref(reader: FlagReader, value: string): { Spread: { SpreadDescriptor: string } } {
  const equals = value.indexOf("=");
  if (equals <= 0) throw reader.invalid("--placement-pref", value, 'placement preference must be of the format "<strategy>=<arg>"');
  const strategy = value.slice(0, equals);
  if (strategy !== "spread") throw reader.invalid("--placement-pref", value, `unsupported placement preference ${strategy} (only spread is supported)`);
  return { Spread: { SpreadDescriptor: value.slice(equals + 1) } };
}

/** A `--secret`/`--config` reference before its ID is looked up. */
interface FileReference {
  source: string;
  File: { Name: string; UID: string; GID: string; Mode: number };
}

/** Parses `name` or `source=name,target=path,uid=0,gid=0,mode=0444` (docker's SecretOpt/ConfigOpt). */
export function parseFileReference(reader: FlagReader, flag: string, value: string): FileReference {
  const reference: FileReference = { source: "", File: { Name: "", UID: "0", GID: "0", Mode: 0o444 } };
  for (const field of value.split(",")) {
    const equals = field.indexOf("=");
    if (equals < 0) {
      if (value.includes(",")) throw reader.invalid(flag, value, `invalid field '${field}' must be a key=value pair`);
      reference.source = field;
      continue;
    }
    const key = field.slice(0, equals).toLowerCase();
    const val = field.slice(equals + 1);
    if (key === "source" || key === "src") reference.source = val;
    else if (key === "target") reference.File.Name = val;
    else if (key === "uid") reference.File.UID = val;
    else if (key === "gid") reference.File.GID = val;
    else if (key === "mode") {
      if (!/^[0-7]+$/.test(val)) throw reader.invalid(flag, value, `invalid mode specified: strconv.ParseUint: parsing ${JSON.stringify(val)}: invalid syntax`);
      reference.File.Mode = Number.parseInt(val, 8);
    } else throw reader.invalid(flag, value, `invalid field in ${flag.slice(2)} request: ${key}`);
  }
  if (reference.source === "") throw reader.invalid(flag, value, `source is required`);
  if (reference.File.Name === "") reference.File.Name = reference.source;
  return reference;
}

/**
 * Looks secrets (or configs) up by name in one `GET /secrets?filters={"name":…}` and returns the
 * references docker's ParseSecrets/ParseConfigs send; an unknown name is an error.
 */
export async function resolveFileReferences(ctx: CliContext, kind: "secret" | "config", references: FileReference[]): Promise<Record<string, unknown>[]> {
  if (references.length === 0) return [];
  const targets = new Set<string>();
  for (const reference of references) {
    if (targets.has(reference.File.Name)) throw new CliError(`duplicate ${kind} target for ${reference.source} not allowed`);
    targets.add(reference.File.Name);
  }
  const found = await ctx.client.json<{ ID: string; Spec: { Name: string } }[]>("GET", `/${kind}s`, {
    query: { filters: filtersQuery([], { name: [...new Set(references.map((reference) => reference.source))] }) },
  });
  const ids = new Map(found.map((item) => [item.Spec.Name, item.ID]));
  const Kind = kind === "secret" ? "Secret" : "Config";
  return references.map((reference) => {
    const id = ids.get(reference.source);
    if (!id) throw new CliError(`${kind} not found: ${reference.source}`);
    return { File: reference.File, [`${Kind}ID`]: id, [`${Kind}Name`]: reference.source };
  });
}

/** `--network name` or `--network name=n,alias=a,driver-opt=k=v`, resolved to network IDs (`GET /networks/{name}?scope=swarm`) and sorted by ID. */
export async function resolveNetworks(ctx: CliContext, reader: FlagReader, values: readonly string[]): Promise<NetworkAttachmentConfig[]> {
  const networks: NetworkAttachmentConfig[] = [];
  for (const value of values) {
    const network: NetworkAttachmentConfig = { Target: value };
    if (value.includes("=")) {
      network.Target = "";
      for (const field of value.split(",")) {
        const equals = field.indexOf("=");
        if (equals <= 0) throw reader.invalid("--network", value, `invalid field '${field}' must be a key=value pair`);
        const key = field.slice(0, equals).toLowerCase();
        const val = field.slice(equals + 1);
        if (key === "name") network.Target = val;
        else if (key === "alias") (network.Aliases ??= []).push(val);
        else if (key === "driver-opt") {
          const inner = val.indexOf("=");
          if (inner <= 0) throw reader.invalid("--network", value, "invalid key value pair format in driver options");
          (network.DriverOpts ??= {})[val.slice(0, inner).trim().toLowerCase()] = val.slice(inner + 1).trim();
        } else throw reader.invalid("--network", value, `invalid field key ${key}`);
      }
    }
    const found = await ctx.client.json<{ Id: string }>("GET", `/networks/${encodeURIComponent(network.Target)}`, { query: { scope: "swarm" } });
    networks.push({ ...network, Target: found.Id });
  }
  return networks.sort((a, b) => (a.Target < b.Target ? -1 : a.Target > b.Target ? 1 : 0));
}
