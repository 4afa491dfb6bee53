/**
 * Flag values of the swarm commands, parsed and checked as docker's pflag values are before any
 * request is sent, and the swarm spec they make, encoded as Go encodes docker's `swarm.Spec`.
 */
import type { NodeAvailability } from "../../types/index.ts";
import { CliError } from "../cli-error.ts";
import { parseGoDuration } from "../go-duration.ts";

/** Where swarm managers listen when `--listen-addr` is not given. */
export const DEFAULT_LISTEN_ADDR = "0.0.0.0:2377";

/** A bad flag value as docker reports it (pflag's wording, exit 125). */
export function flagValueError(command: string, flag: string, value: string, reason: string): CliError {
  return new CliError(`invalid argument ${JSON.stringify(value)} for ${JSON.stringify(flag)} flag: ${reason}\nSee 'shoal ${command} --help'.`, 125);
}

/** A duration flag (`90d` is not Go: `2160h`) in nanoseconds. */
export function durationFlag(command: string, flag: string, value: string): number {
  const parsed = parseGoDuration(value);
  if (parsed === undefined) throw flagValueError(command, flag, value, `time: invalid duration ${JSON.stringify(value)}`);
  return parsed;
}

/** An integer flag (Go's base-0 syntax: `10`, `0x1f`), signed or not, within `max`. */
export function integerFlag(command: string, flag: string, value: string, options: { unsigned: boolean; max: number }): number {
  const func = options.unsigned ? "strconv.ParseUint" : "strconv.ParseInt";
  const text = value.replaceAll("_", "");
  if (!/^[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO]?[0-7]*|[1-9]\d*)$/.test(text) || (options.unsigned && /^[-+]/.test(text))) {
    throw flagValueError(command, flag, value, `${func}: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  const negative = text.startsWith("-");
  const digits = text.replace(/^[-+]/, "");
  const magnitude = /^0[oO]/.test(digits) ? Number.parseInt(digits.slice(2), 8) : /^0\d/.test(digits) ? Number.parseInt(digits.slice(1), 8) : Number(digits);
  const number = negative ? -magnitude : magnitude;
  if (Math.abs(number) > options.max) throw flagValueError(command, flag, value, `${func}: parsing ${JSON.stringify(value)}: value out of range`);
  return number;
}

/** A boolean flag value as Go's strconv.ParseBool reads it. */
export function booleanFlag(command: string, flag: string, value: string | boolean): boolean {
  if (typeof value === "boolean") return value;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(value)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(value)) return false;
  throw flagValueError(command, flag, value, `strconv.ParseBool: parsing ${JSON.stringify(value)}: invalid syntax`);
}

/** `--availability` of init and join: sent only when given, lower-cased, one of active, pause, drain. */
export function availabilityFlag(value: string | undefined): NodeAvailability | "" {
  if (value === undefined) return "";
  const availability = value.toLowerCase();
  if (availability === "active" || availability === "pause" || availability === "drain") return availability;
  throw new CliError(`invalid availability ${JSON.stringify(value)}, only active, pause and drain are supported`);
}

/** Splits `host:port` as Go's net.SplitHostPort does; undefined when it cannot. */
function splitHostPort(address: string): { host: string; port: string } | undefined {
  if (address.startsWith("[")) {
    const close = address.indexOf("]");
    if (close < 0 || address[close + 1] !== ":") return undefined;
    return { host: address.slice(1, close), port: address.slice(close + 2) };
  }
  const colons = address.split(":").length - 1;
  if (colons !== 1) return undefined;
  const [host, port] = address.split(":") as [string, string];
  return { host, port };
}

function joinHostPort(host: string, port: string): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * A node address flag (`--listen-addr`) as docker's ParseTCPAddr completes it: a missing host
 * or port comes from `fallback` (`eth0` → `eth0:2377`, `:4500` → `0.0.0.0:4500`).
 */
export function nodeAddrFlag(command: string, flag: string, value: string | undefined, fallback = DEFAULT_LISTEN_ADDR): string {
  if (value === undefined || value === "" || value === "tcp://") return fallback;
  let address = value.startsWith("tcp://") ? value.slice("tcp://".length) : value;
  if (address.includes("://") || address === "") throw flagValueError(command, flag, value, `invalid proto, expected tcp: ${value}`);
  const defaults = splitHostPort(fallback)!;
  if (address.endsWith("]:")) address += defaults.port;
  const authority = address.split("/")[0]!;
  const parts = splitHostPort(authority) ?? splitHostPort(joinHostPort(authority, defaults.port));
  if (!parts) throw flagValueError(command, flag, value, `invalid bind address format: ${value}`);
  const host = parts.host || defaults.host;
  const port = parts.port || defaults.port;
  if (!/^[-+]?\d+$/.test(port)) throw flagValueError(command, flag, value, `invalid bind address format: ${value}`);
  return joinHostPort(host, port);
}

/** `--default-addr-pool` values (comma-separated CIDRs, repeatable) as the networks they name (`10.20.1.5/16` → `10.20.0.0/16`). */
export function addrPoolFlag(command: string, values: readonly string[] = []): string[] {
  const pools: string[] = [];
  for (const value of values) {
    for (const item of value.split(",")) {
      const cidr = item.trim();
      const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
      const octets = match?.slice(1, 5).map(Number) ?? [];
      const bits = Number(match?.[5]);
      if (!match || octets.some((octet) => octet > 255) || bits > 32) {
        throw flagValueError(command, "--default-addr-pool", value, `invalid string being converted to CIDR: ${cidr}`);
      }
      const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
      const mask = bits === 0 ? 0 : 2 ** 32 - 2 ** (32 - bits);
      const network = Number((BigInt(address) & BigInt(mask)).toString());
      pools.push(`${[24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".")}/${bits}`);
    }
  }
  return pools;
}

/** A swarm spec as the Engine API carries it; every part optional (docker's zero values). */
export interface WireSwarmSpec {
  Name?: string;
  Labels?: Record<string, string> | null;
  Orchestration?: { TaskHistoryRetentionLimit?: number | null };
  Raft?: { SnapshotInterval?: number; KeepOldSnapshots?: number | null; LogEntriesForSlowFollowers?: number; ElectionTick?: number; HeartbeatTick?: number };
  Dispatcher?: { HeartbeatPeriod?: number };
  CAConfig?: {
    NodeCertExpiry?: number;
    ExternalCAs?: { Protocol: string; URL: string; Options?: Record<string, string> | null; CACert?: string }[] | null;
    SigningCACert?: string;
    SigningCAKey?: string;
    ForceRotate?: number;
  };
  TaskDefaults?: { LogDriver?: { Name?: string; Options?: Record<string, string> | null } | null };
  EncryptionConfig?: { AutoLockManagers?: boolean };
}

/** The swarm settings flags of init and update, raw from commander (undefined: not given). */
export interface SwarmSpecFlags {
  taskHistoryLimit?: string;
  dispatcherHeartbeat?: string;
  maxSnapshots?: string;
  snapshotInterval?: string;
  certExpiry?: string;
  autolock?: boolean | string;
}

/** Applies the given flags to `spec` as docker's mergeSwarmSpec does (only flags that were set). */
export function mergeSwarmSpec(command: string, spec: WireSwarmSpec, flags: SwarmSpecFlags): WireSwarmSpec {
  const merged: WireSwarmSpec = structuredClone(spec);
  const maxInt64 = Number.MAX_SAFE_INTEGER;
  if (flags.taskHistoryLimit !== undefined) {
    merged.Orchestration = { ...merged.Orchestration, TaskHistoryRetentionLimit: integerFlag(command, "--task-history-limit", flags.taskHistoryLimit, { unsigned: false, max: maxInt64 }) };
  }
  if (flags.dispatcherHeartbeat !== undefined) {
    merged.Dispatcher = { ...merged.Dispatcher, HeartbeatPeriod: durationFlag(command, "--dispatcher-heartbeat", flags.dispatcherHeartbeat) };
  }
  if (flags.maxSnapshots !== undefined) {
    merged.Raft = { ...merged.Raft, KeepOldSnapshots: integerFlag(command, "--max-snapshots", flags.maxSnapshots, { unsigned: true, max: maxInt64 }) };
  }
  if (flags.snapshotInterval !== undefined) {
    merged.Raft = { ...merged.Raft, SnapshotInterval: integerFlag(command, "--snapshot-interval", flags.snapshotInterval, { unsigned: true, max: maxInt64 }) };
  }
  if (flags.autolock !== undefined) {
    merged.EncryptionConfig = { ...merged.EncryptionConfig, AutoLockManagers: booleanFlag(command, "--autolock", flags.autolock) };
  }
  if (flags.certExpiry !== undefined) {
    merged.CAConfig = { ...merged.CAConfig, NodeCertExpiry: durationFlag(command, "--cert-expiry", flags.certExpiry) };
  }
  return merged;
}

const present = (value: unknown): boolean => value !== undefined && value !== null;
const nonZero = (value: number | undefined): value is number => value !== undefined && value !== 0;
const nonEmpty = (value: Record<string, string> | null | undefined): value is Record<string, string> => !!value && Object.keys(value).length > 0;

/**
 * `spec` exactly as docker sends a `swarm.Spec`: Go's field order, every struct present,
 * `omitempty` fields left out when zero, `Labels` always there (null when unset).
 */
export function encodeSwarmSpec(spec: WireSwarmSpec): Record<string, unknown> {
  const raft = spec.Raft ?? {};
  const ca = spec.CAConfig ?? {};
  const logDriver = spec.TaskDefaults?.LogDriver;
  return {
    ...(spec.Name ? { Name: spec.Name } : {}),
    Labels: spec.Labels ?? null,
    Orchestration: present(spec.Orchestration?.TaskHistoryRetentionLimit) ? { TaskHistoryRetentionLimit: spec.Orchestration!.TaskHistoryRetentionLimit } : {},
    Raft: {
      ...(nonZero(raft.SnapshotInterval) ? { SnapshotInterval: raft.SnapshotInterval } : {}),
      ...(present(raft.KeepOldSnapshots) ? { KeepOldSnapshots: raft.KeepOldSnapshots } : {}),
      ...(nonZero(raft.LogEntriesForSlowFollowers) ? { LogEntriesForSlowFollowers: raft.LogEntriesForSlowFollowers } : {}),
      ElectionTick: raft.ElectionTick ?? 0,
      HeartbeatTick: raft.HeartbeatTick ?? 0,
    },
    Dispatcher: nonZero(spec.Dispatcher?.HeartbeatPeriod) ? { HeartbeatPeriod: spec.Dispatcher!.HeartbeatPeriod } : {},
    CAConfig: {
      ...(nonZero(ca.NodeCertExpiry) ? { NodeCertExpiry: ca.NodeCertExpiry } : {}),
      ...(ca.ExternalCAs && ca.ExternalCAs.length > 0
        ? {
            ExternalCAs: ca.ExternalCAs.map((external) => ({
              Protocol: external.Protocol,
              URL: external.URL,
              ...(nonEmpty(external.Options) ? { Options: external.Options } : {}),
              CACert: external.CACert ?? "",
            })),
          }
        : {}),
      ...(ca.SigningCACert ? { SigningCACert: ca.SigningCACert } : {}),
      ...(ca.SigningCAKey ? { SigningCAKey: ca.SigningCAKey } : {}),
      ...(nonZero(ca.ForceRotate) ? { ForceRotate: ca.ForceRotate } : {}),
    },
    TaskDefaults: logDriver
      ? { LogDriver: { ...(logDriver.Name ? { Name: logDriver.Name } : {}), ...(nonEmpty(logDriver.Options) ? { Options: logDriver.Options } : {}) } }
      : {},
    EncryptionConfig: { AutoLockManagers: Boolean(spec.EncryptionConfig?.AutoLockManagers) },
  };
}
