import { ShoalError } from "../lib/index.ts";
import { logLimits } from "./log-limits.ts";
import type { ContainerConfig, HostConfig, MountSpec, PortBinding } from "./container-record.ts";

/** A `POST /containers/create` body, checked: docker's Config and HostConfig with defaults filled in. */
export interface CreateRequest {
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** `NetworkingConfig.EndpointsConfig` names (the network to join first when NetworkMode is a name). */
  networks: string[];
}

const RESTART_POLICIES = new Set(["", "no", "always", "unless-stopped", "on-failure"]);
const MIN_MEMORY = 6 * 1024 * 1024;

type Json = Record<string, unknown>;

function bad(message: string): never {
  throw new ShoalError("invalid_argument", message);
}

function object(value: unknown, field: string): Json {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) bad(`${field} must be an object`);
  return value as Json;
}

function strings(value: unknown, field: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return [value];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) bad(`${field} must be a list of strings`);
  return value as string[];
}

function text(value: unknown, field: string, fallback = ""): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "string") bad(`${field} must be a string`);
  return value;
}

function integer(value: unknown, field: string, fallback = 0): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value)) bad(`${field} must be an integer`);
  return value;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") bad(`${field} must be true or false`);
  return value;
}

function stringMap(value: unknown, field: string): Record<string, string> {
  const map = object(value, field);
  for (const [key, item] of Object.entries(map)) if (typeof item !== "string") bad(`${field}.${key} must be a string`);
  return map as Record<string, string>;
}

/** `HostConfig.ConsoleSize` ([rows, cols], what `docker run -t` sends); [0, 0] or absent: none. */
function consoleSize(value: unknown): [number, number] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length !== 2 || value.some((n) => typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 0xffff)) bad("HostConfig.ConsoleSize must be [height, width]");
  const [rows, cols] = value as [number, number];
  return rows > 0 && cols > 0 ? [rows, cols] : undefined;
}

/** `80`, `80/tcp`, `53/udp` → `80/tcp`… (docker's nat.Port), refusing anything else. */
export function normalizePort(spec: string): string {
  const match = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/.exec(spec);
  if (!match || Number(match[1]) < 1 || Number(match[1]) > 65535) bad(`invalid port specification: "${spec}"`);
  return `${Number(match[1])}/${match![2] ?? "tcp"}`;
}

function portBindings(value: unknown): Record<string, PortBinding[] | null> {
  const result: Record<string, PortBinding[] | null> = {};
  for (const [port, bindings] of Object.entries(object(value, "HostConfig.PortBindings"))) {
    const list = (bindings ?? []) as Json[];
    if (!Array.isArray(list)) bad(`HostConfig.PortBindings["${port}"] must be a list`);
    result[normalizePort(port)] = list.map((binding) => {
      const hostPort = text(binding.HostPort, "HostPort");
      if (hostPort !== "" && !/^\d{1,5}(-\d{1,5})?$/.test(hostPort)) bad(`invalid hostPort: ${hostPort}`);
      if (hostPort !== "" && Number(hostPort.split("-")[0]) > 65535) bad(`invalid hostPort: ${hostPort}`);
      const hostIp = text(binding.HostIp, "HostIp");
      if (hostIp !== "" && !/^(\d{1,3}\.){3}\d{1,3}$/.test(hostIp)) bad(`invalid IP address: ${hostIp}`);
      return { HostIp: hostIp, HostPort: hostPort };
    });
  }
  return result;
}

function mounts(value: unknown): MountSpec[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) bad("HostConfig.Mounts must be a list");
  return (value as Json[]).map((mount) => {
    const type = text(mount.Type, "Mount.Type");
    if (type !== "bind" && type !== "volume" && type !== "tmpfs") bad(`mount type "${type}" is not supported: use bind, volume or tmpfs`);
    const target = text(mount.Target, "Mount.Target");
    if (!target.startsWith("/")) bad(`invalid mount config for type "${type}": invalid mount path: '${target}' mount path must be absolute`);
    const source = text(mount.Source, "Mount.Source");
    if (type === "bind" && !source.startsWith("/")) bad(`invalid mount config for type "bind": invalid mount path: '${source}' mount path must be absolute`);
    if (type === "tmpfs" && source) bad(`invalid mount config for type "tmpfs": source must not be specified`);
    const tmpfs = object(mount.TmpfsOptions, "Mount.TmpfsOptions");
    return {
      Type: type,
      Source: source || undefined,
      Target: target,
      ReadOnly: flag(mount.ReadOnly, "Mount.ReadOnly"),
      TmpfsOptions: type === "tmpfs" ? { SizeBytes: integer(tmpfs.SizeBytes, "SizeBytes") || undefined, Mode: integer(tmpfs.Mode, "Mode") || undefined } : undefined,
    };
  });
}

function healthcheck(value: unknown): ContainerConfig["Healthcheck"] {
  if (value === undefined || value === null) return undefined;
  const check = object(value, "Healthcheck");
  const test = strings(check.Test, "Healthcheck.Test") ?? [];
  if (test.length > 0 && !["NONE", "CMD", "CMD-SHELL"].includes(test[0]!)) bad(`Healthcheck.Test must start with NONE, CMD or CMD-SHELL, not "${test[0]}"`);
  for (const field of ["Interval", "Timeout", "StartPeriod", "StartInterval"] as const) {
    const ns = integer(check[field], `Healthcheck.${field}`);
    if (ns !== 0 && ns < 1_000_000) bad(`${field} in Healthcheck cannot be less than 1ms`);
  }
  const retries = integer(check.Retries, "Healthcheck.Retries");
  if (retries < 0) bad("Retries in Healthcheck cannot be negative");
  return {
    Test: test,
    Interval: integer(check.Interval, "Interval") || undefined,
    Timeout: integer(check.Timeout, "Timeout") || undefined,
    Retries: retries || undefined,
    StartPeriod: integer(check.StartPeriod, "StartPeriod") || undefined,
  };
}

/** Checks a create body and fills docker's defaults; refuses what docker refuses, in its words. */
export function parseCreateRequest(body: Json): CreateRequest {
  const image = text(body.Image, "Image");
  if (!image) bad("Config cannot be empty in order to create a container: give an Image");
  const host = object(body.HostConfig, "HostConfig");
  const restart = object(host.RestartPolicy, "HostConfig.RestartPolicy");
  const restartName = text(restart.Name, "RestartPolicy.Name");
  if (!RESTART_POLICIES.has(restartName)) bad(`invalid restart policy: unknown policy '${restartName}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  const maxRetries = integer(restart.MaximumRetryCount, "RestartPolicy.MaximumRetryCount");
  if (maxRetries < 0) bad("invalid restart policy: maximum retry count cannot be negative");
  if (maxRetries > 0 && restartName !== "on-failure") bad(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  const autoRemove = flag(host.AutoRemove, "HostConfig.AutoRemove");
  if (autoRemove && restartName !== "" && restartName !== "no") bad("conflicting options: cannot specify both --restart and --rm");
  const memory = integer(host.Memory, "HostConfig.Memory");
  if (memory !== 0 && memory < MIN_MEMORY) bad("Minimum memory limit allowed is 6MB");
  const nanoCpus = integer(host.NanoCpus, "HostConfig.NanoCpus");
  const cpuCount = navigator.hardwareConcurrency;
  if (nanoCpus < 0 || nanoCpus > cpuCount * 1e9) bad(`range of CPUs is from 0.01 to ${cpuCount}.00, as there are only ${cpuCount} CPUs available`);
  const logConfig = object(host.LogConfig, "HostConfig.LogConfig");
  const logOptions = stringMap(logConfig.Config, "LogConfig.Config");
  const logType = text(logConfig.Type, "LogConfig.Type", "json-file") || "json-file";
  if (!["json-file", "local", "k8s-file"].includes(logType)) bad(`logging driver "${logType}" is not supported: use json-file or local`);
  for (const key of Object.keys(logOptions)) if (!["max-size", "max-file", "compress", "mode"].includes(key)) bad(`unknown log opt '${key}' for ${logType} log driver`);
  const exposed = object(body.ExposedPorts, "ExposedPorts");
  const bindings = portBindings(host.PortBindings);
  const exposedPorts: Record<string, Record<string, never>> = {};
  for (const port of [...Object.keys(exposed), ...Object.keys(bindings)]) exposedPorts[normalizePort(port)] = {};
  const networkMode = text(host.NetworkMode, "HostConfig.NetworkMode", "default") || "default";
  const endpoints = Object.keys(object(object(body.NetworkingConfig, "NetworkingConfig").EndpointsConfig, "EndpointsConfig"));
  const ulimits = host.Ulimits === undefined || host.Ulimits === null ? null : (host.Ulimits as Json[]);
  if (ulimits !== null && !Array.isArray(ulimits)) bad("HostConfig.Ulimits must be a list");
  const stopTimeout = body.StopTimeout === undefined || body.StopTimeout === null ? undefined : integer(body.StopTimeout, "StopTimeout");

  const config: ContainerConfig = {
    Hostname: text(body.Hostname, "Hostname"),
    Domainname: text(body.Domainname, "Domainname"),
    User: text(body.User, "User"),
    AttachStdin: flag(body.AttachStdin, "AttachStdin"),
    AttachStdout: flag(body.AttachStdout, "AttachStdout"),
    AttachStderr: flag(body.AttachStderr, "AttachStderr"),
    ExposedPorts: Object.keys(exposedPorts).length > 0 ? exposedPorts : undefined,
    Tty: flag(body.Tty, "Tty"),
    OpenStdin: flag(body.OpenStdin, "OpenStdin"),
    StdinOnce: flag(body.StdinOnce, "StdinOnce"),
    Env: strings(body.Env, "Env") ?? [],
    Cmd: strings(body.Cmd, "Cmd"),
    Healthcheck: healthcheck(body.Healthcheck),
    Image: image,
    Volumes: (body.Volumes as ContainerConfig["Volumes"]) ?? null,
    WorkingDir: text(body.WorkingDir, "WorkingDir"),
    Entrypoint: strings(body.Entrypoint, "Entrypoint"),
    Labels: stringMap(body.Labels, "Labels"),
    StopSignal: text(body.StopSignal, "StopSignal") || undefined,
    StopTimeout: stopTimeout,
  };
  if (config.WorkingDir && !config.WorkingDir.startsWith("/")) bad(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  for (const entry of config.Env) if (entry.startsWith("=")) bad(`invalid environment variable: ${entry}`);

  const hostConfig: HostConfig = {
    Binds: strings(host.Binds, "HostConfig.Binds"),
    Mounts: mounts(host.Mounts),
    Tmpfs: host.Tmpfs ? stringMap(host.Tmpfs, "HostConfig.Tmpfs") : undefined,
    NetworkMode: networkMode,
    PortBindings: bindings,
    PublishAllPorts: flag(host.PublishAllPorts, "HostConfig.PublishAllPorts"),
    RestartPolicy: { Name: restartName as HostConfig["RestartPolicy"]["Name"], MaximumRetryCount: maxRetries },
    AutoRemove: autoRemove,
    CapAdd: strings(host.CapAdd, "HostConfig.CapAdd"),
    CapDrop: strings(host.CapDrop, "HostConfig.CapDrop"),
    Privileged: flag(host.Privileged, "HostConfig.Privileged"),
    ReadonlyRootfs: flag(host.ReadonlyRootfs, "HostConfig.ReadonlyRootfs"),
    Sysctls: host.Sysctls ? stringMap(host.Sysctls, "HostConfig.Sysctls") : undefined,
    Ulimits: ulimits?.map((limit) => ({ Name: text(limit.Name, "Ulimit.Name"), Soft: integer(limit.Soft, "Ulimit.Soft"), Hard: integer(limit.Hard, "Ulimit.Hard") })) ?? null,
    Init: host.Init === undefined || host.Init === null ? null : flag(host.Init, "HostConfig.Init"),
    Memory: memory,
    NanoCpus: nanoCpus,
    CpuShares: integer(host.CpuShares, "HostConfig.CpuShares"),
    CpusetCpus: text(host.CpusetCpus, "HostConfig.CpusetCpus"),
    PidsLimit: host.PidsLimit === undefined || host.PidsLimit === null ? null : integer(host.PidsLimit, "HostConfig.PidsLimit"),
    LogConfig: { Type: logType, Config: logOptions },
    ExtraHosts: strings(host.ExtraHosts, "HostConfig.ExtraHosts"),
    ConsoleSize: consoleSize(host.ConsoleSize),
  };
  for (const bind of hostConfig.Binds ?? []) parseBind(bind);
  logLimits(logOptions);
  if (hostConfig.CpusetCpus && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(hostConfig.CpusetCpus)) bad(`invalid value ${hostConfig.CpusetCpus} for cpuset cpus`);
  return { config, hostConfig, networks: endpoints };
}

/** A `-v` bind: `/host:/ctr[:ro]` or `volume:/ctr[:ro]`. */
export interface BindSpec {
  source: string;
  target: string;
  readOnly: boolean;
  /** A named volume (source is not a path). */
  isVolume: boolean;
}

/** Parses one `HostConfig.Binds` entry as docker does. */
export function parseBind(bind: string): BindSpec {
  const parts = bind.split(":");
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) bad(`invalid volume specification: '${bind}'`);
  const [source, target, mode = "rw"] = parts as [string, string, string?];
  if (!target.startsWith("/")) bad(`invalid volume specification: '${bind}': invalid mount config for type "bind": invalid mount path: '${target}' mount path must be absolute`);
  for (const option of mode.split(",")) if (!["ro", "rw", "z", "Z", "rprivate", "private", "rslave", "slave", "rshared", "shared", "nocopy"].includes(option)) bad(`invalid mode: ${mode}`);
  const isVolume = !source.startsWith("/");
  if (isVolume && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(source)) bad(`invalid volume specification: '${bind}': "${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  return { source, target, readOnly: mode.split(",").includes("ro"), isVolume };
}
