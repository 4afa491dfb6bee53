import { readFileSync } from "node:fs";
import { parseRamBytes } from "../byte-size.ts";
import { parseGoDuration } from "../go-duration.ts";
import type { CreateFlags } from "./create-flags.ts";
import { MountSpecError, parseMount } from "./mount-specs.ts";
import { PortSpecError, parsePortSpecs } from "./port-specs.ts";

/**
 * A flag value docker refuses before sending anything: `flag` errors are pflag's
 * (`invalid argument "1x" for "-m, --memory" flag: …`), `parse` errors come from docker's parse().
 */
export class CreateFlagError extends Error {
  readonly kind: "flag" | "parse";

  constructor(kind: "flag" | "parse", message: string) {
    super(message);
    this.kind = kind;
  }
}

/** The body of `POST /containers/create` and its query, as docker/cli builds them from flags. */
export interface CreateRequest {
  name?: string;
  platform?: string;
  pull: "missing" | "always" | "never";
  body: { HostConfig: Record<string, unknown>; NetworkingConfig: { EndpointsConfig: Record<string, unknown> } } & Record<string, unknown>;
}

/** Facts about the caller the body depends on. */
export interface CreateEnvironment {
  /** The caller's environment (`-e NAME` copies NAME from it). */
  env: Record<string, string | undefined>;
  /** The output terminal's size for `HostConfig.ConsoleSize`. */
  consoleSize?: { height: number; width: number };
  readFile?: (path: string) => string;
}

const flagName: Record<string, string> = {
  memory: "-m, --memory",
  memoryReservation: "--memory-reservation",
  memorySwap: "--memory-swap",
  shmSize: "--shm-size",
  cpus: "--cpus",
  cpuShares: "-c, --cpu-shares",
  pidsLimit: "--pids-limit",
  stopTimeout: "--stop-timeout",
  healthRetries: "--health-retries",
  healthInterval: "--health-interval",
  healthTimeout: "--health-timeout",
  healthStartPeriod: "--health-start-period",
  healthStartInterval: "--health-start-interval",
  ulimit: "--ulimit",
  sysctl: "--sysctl",
  env: "-e, --env",
  label: "-l, --label",
};

function invalid(flag: keyof typeof flagName, value: string, reason: string): CreateFlagError {
  return new CreateFlagError("flag", `invalid argument "${value}" for "${flagName[flag]}" flag: ${reason}`);
}

function bytes(flag: keyof typeof flagName, value: string | undefined, allowMinusOne = false): number {
  if (value === undefined) return 0;
  if (allowMinusOne && value === "-1") return -1;
  const parsed = parseRamBytes(value);
  if (parsed === undefined) throw invalid(flag, value, `invalid size: '${value}'`);
  return parsed;
}

function integer(flag: keyof typeof flagName, value: string | undefined, fallback = 0): number {
  if (value === undefined) return fallback;
  if (!/^[-+]?\d+$/.test(value)) throw invalid(flag, value, `strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  return Number(value);
}

function duration(flag: keyof typeof flagName, value: string | undefined): number {
  if (value === undefined) return 0;
  const parsed = parseGoDuration(value);
  if (parsed === undefined) throw invalid(flag, value, `time: invalid duration ${JSON.stringify(value)}`);
  return parsed;
}

function nanoCpus(value: string | undefined): number {
  if (value === undefined) return 0;
  if (!/^\d*\.?\d+$/.test(value)) throw invalid("cpus", value, `failed to parse ${value} as a rational number`);
  const nanos = Number(value) * 1e9;
  if (Math.abs(nanos - Math.round(nanos)) > 1e-6) throw invalid("cpus", value, "value is too precise");
  return Math.round(nanos);
}

/** `KEY=VALUE` lists into a map (a bare KEY maps to ""), as docker's ConvertKVStringsToMap. */
function keyValueMap(list: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const item of list) {
    const equals = item.indexOf("=");
    if (equals < 0) map[item] = "";
    else map[item.slice(0, equals)] = item.slice(equals + 1);
  }
  return map;
}

/** One `-e` value: `NAME` alone takes NAME's value from the caller's environment when it has one. */
function envValue(item: string, env: Record<string, string | undefined>): string {
  if (item.includes("=")) {
    if (item.startsWith("=")) throw invalid("env", item, `invalid environment variable: ${item}`);
    return item;
  }
  const value = env[item];
  return value === undefined ? item : `${item}=${value}`;
}

/** The lines of an `--env-file` (blank lines and `#` comments skipped), as docker reads them. */
function envFileLines(path: string, environment: CreateEnvironment): string[] {
  let text: string;
  try {
    text = (environment.readFile ?? ((file) => readFileSync(file, "utf8")))(path);
  } catch {
    throw new CreateFlagError("parse", `open ${path}: no such file or directory`);
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.replace(/^\s+/, ""))
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => envValue(line, environment.env));
}

const RESTART_POLICIES = ["no", "always", "on-failure", "unless-stopped"];

function restartPolicy(text: string): { Name: string; MaximumRetryCount: number } {
  if (text === "") return { Name: "", MaximumRetryCount: 0 };
  const colon = text.indexOf(":");
  const name = colon < 0 ? text : text.slice(0, colon);
  const count = colon < 0 ? "" : text.slice(colon + 1);
  if (colon >= 0 && name === "") throw new CreateFlagError("parse", "invalid restart policy format: no policy provided before colon");
  if (count !== "" && !/^[-+]?\d+$/.test(count)) throw new CreateFlagError("parse", "invalid restart policy format: maximum retry count must be an integer");
  const retries = count === "" ? 0 : Number(count);
  // The daemon's own checks (container.ValidateRestartPolicy), made here so nothing is sent.
  if (!RESTART_POLICIES.includes(name)) throw new CreateFlagError("parse", `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  if (retries !== 0 && name !== "on-failure") throw new CreateFlagError("parse", `invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  if (retries < 0) throw new CreateFlagError("parse", "invalid restart policy: maximum retry count cannot be negative");
  return { Name: name, MaximumRetryCount: retries };
}

function ulimit(text: string): { Name: string; Hard: number; Soft: number } {
  const match = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(text);
  if (!match) throw invalid("ulimit", text, `invalid ulimit argument: ${text}`);
  const soft = Number(match[2]);
  const hard = match[3] === undefined ? soft : Number(match[3]);
  if (soft > hard && hard !== -1) throw invalid("ulimit", text, `ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: match[1]!, Hard: hard, Soft: soft };
}

/**
 * Builds `POST /containers/create` from the flags of `create`/`run`, field for field as docker/cli's
 * parse() does (Config, then HostConfig with its Resources inline, then NetworkingConfig).
 */
export function buildCreateRequest(image: string, args: readonly string[], flags: CreateFlags, environment: CreateEnvironment): CreateRequest {
  const pull = flags.pull ?? "missing";
  if (pull !== "missing" && pull !== "always" && pull !== "never") {
    throw new CreateFlagError("parse", `invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  }
  const attach = new Set((flags.attach ?? []).map((stream) => stream.toLowerCase()));
  for (const stream of attach) {
    if (!["stdin", "stdout", "stderr"].includes(stream)) throw new CreateFlagError("flag", `invalid argument "${stream}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  }
  const attachStdin = attach.has("stdin") || Boolean(flags.interactive);
  const attachAll = attach.size === 0;

  let ports;
  try {
    ports = parsePortSpecs(flags.publish ?? [], flags.expose ?? []);
  } catch (error) {
    if (error instanceof PortSpecError) throw new CreateFlagError("parse", error.message);
    throw error;
  }

  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const spec of flags.volume ?? []) {
    const parts = spec.split(":");
    if (parts.some((part) => part === "")) throw new CreateFlagError("parse", `invalid spec: ${spec}: empty section between colons`);
    if (parts.length > 3) throw new CreateFlagError("parse", `invalid spec: ${spec}: too many colons`);
    if (parts.length === 1) volumes[spec] = {};
    else binds.push(spec);
  }
  let mounts;
  try {
    mounts = (flags.mount ?? []).map((spec) => parseMount(spec, parseRamBytes));
  } catch (error) {
    if (error instanceof MountSpecError) throw new CreateFlagError("flag", `invalid argument "${flags.mount?.join(",")}" for "--mount" flag: ${error.message}`);
    throw error;
  }
  const tmpfs: Record<string, string> = {};
  for (const spec of flags.tmpfs ?? []) {
    const colon = spec.indexOf(":");
    if (colon < 0) tmpfs[spec] = "";
    else tmpfs[spec.slice(0, colon)] = spec.slice(colon + 1);
  }

  const env = [...(flags.envFile ?? []).flatMap((path) => envFileLines(path, environment)), ...(flags.env ?? []).map((item) => envValue(item, environment.env))];
  for (const label of flags.label ?? []) {
    if (label.startsWith("=")) throw invalid("label", label, `invalid label '${label}': empty name`);
  }

  const healthSettings = [flags.healthCmd, flags.healthInterval, flags.healthTimeout, flags.healthStartPeriod, flags.healthStartInterval, flags.healthRetries];
  const haveHealthSettings = healthSettings.some((value) => value !== undefined && value !== "" && value !== "0" && value !== "0s");
  let healthcheck: Record<string, unknown> | undefined;
  if (flags.healthcheck === false) {
    if (haveHealthSettings) throw new CreateFlagError("parse", "--no-healthcheck conflicts with --health-* options");
    healthcheck = { Test: ["NONE"] };
  } else if (haveHealthSettings) {
    const interval = duration("healthInterval", flags.healthInterval);
    const timeout = duration("healthTimeout", flags.healthTimeout);
    const startPeriod = duration("healthStartPeriod", flags.healthStartPeriod);
    const startInterval = duration("healthStartInterval", flags.healthStartInterval);
    const retries = integer("healthRetries", flags.healthRetries);
    if (interval < 0) throw new CreateFlagError("parse", "--health-interval cannot be negative");
    if (timeout < 0) throw new CreateFlagError("parse", "--health-timeout cannot be negative");
    if (retries < 0) throw new CreateFlagError("parse", "--health-retries cannot be negative");
    if (startPeriod < 0) throw new CreateFlagError("parse", "--health-start-period cannot be negative");
    if (startInterval < 0) throw new CreateFlagError("parse", "--health-start-interval cannot be negative");
    healthcheck = {};
    if (flags.healthCmd) healthcheck.Test = ["CMD-SHELL", flags.healthCmd];
    if (interval) healthcheck.Interval = interval;
    if (timeout) healthcheck.Timeout = timeout;
    if (startPeriod) healthcheck.StartPeriod = startPeriod;
    if (startInterval) healthcheck.StartInterval = startInterval;
    if (retries) healthcheck.Retries = retries;
  }

  const restart = restartPolicy(flags.restart ?? "no");
  if (flags.rm && restart.Name !== "" && restart.Name !== "no") throw new CreateFlagError("parse", "conflicting options: cannot specify both --restart and --rm");
  const logOptions = keyValueMap(flags.logOpt ?? []);
  if (flags.logDriver === "none" && (flags.logOpt ?? []).length > 0) throw new CreateFlagError("parse", "invalid logging opts for driver none");
  const sysctls: Record<string, string> = {};
  for (const item of flags.sysctl ?? []) {
    const equals = item.indexOf("=");
    if (equals <= 0) throw invalid("sysctl", item, `invalid sysctl value: ${item}`);
    sysctls[item.slice(0, equals)] = item.slice(equals + 1);
  }

  const networks = flags.network ?? [];
  const endpoints: Record<string, unknown> = {};
  const firstEndpoint: Record<string, unknown> = {};
  if (flags.networkAlias?.length) firstEndpoint.Aliases = [...flags.networkAlias];
  if (flags.ip) firstEndpoint.IPAMConfig = { IPv4Address: flags.ip };
  networks.forEach((network, index) => {
    if (network in endpoints) throw new CreateFlagError("parse", `network "${network}" is specified multiple times`);
    const endpoint = index === 0 ? firstEndpoint : {};
    // A single network without endpoint options is left out, as docker does (the daemon adds it).
    if (networks.length === 1 && Object.keys(endpoint).length === 0) return;
    endpoints[network] = endpoint;
  });

  let entrypoint: string[] | null = null;
  if (flags.entrypoint !== undefined) entrypoint = [flags.entrypoint];

  const config: Record<string, unknown> = {
    Hostname: flags.hostname ?? "",
    Domainname: flags.domainname ?? "",
    User: flags.user ?? "",
    AttachStdin: attachStdin,
    AttachStdout: attachAll || attach.has("stdout"),
    AttachStderr: attachAll || attach.has("stderr"),
  };
  if (Object.keys(ports.exposed).length > 0) config.ExposedPorts = ports.exposed;
  Object.assign(config, {
    Tty: Boolean(flags.tty),
    OpenStdin: Boolean(flags.interactive),
    StdinOnce: Boolean(flags.interactive) && attachStdin,
    Env: env,
    Cmd: args.length > 0 ? [...args] : null,
  });
  if (healthcheck) config.Healthcheck = healthcheck;
  Object.assign(config, { Image: image, Volumes: volumes, WorkingDir: flags.workdir ?? "", Entrypoint: entrypoint, Labels: keyValueMap(flags.label ?? []) });
  if (flags.stopSignal !== undefined) config.StopSignal = flags.stopSignal;
  if (flags.stopTimeout !== undefined) config.StopTimeout = integer("stopTimeout", flags.stopTimeout);

  const hostConfig: Record<string, unknown> = {
    Binds: binds.length > 0 ? binds : null,
    ContainerIDFile: "",
    LogConfig: { Type: flags.logDriver ?? "", Config: logOptions },
    NetworkMode: networks[0] ?? "default",
    PortBindings: ports.bindings,
    RestartPolicy: restart,
    AutoRemove: Boolean(flags.rm),
    VolumeDriver: "",
    VolumesFrom: null,
    ConsoleSize: [environment.consoleSize?.height ?? 0, environment.consoleSize?.width ?? 0],
    CapAdd: flags.capAdd?.length ? [...flags.capAdd] : null,
    CapDrop: flags.capDrop?.length ? [...flags.capDrop] : null,
    CgroupnsMode: "",
    Dns: [...(flags.dns ?? [])],
    DnsOptions: [...(flags.dnsOption ?? [])],
    DnsSearch: [...(flags.dnsSearch ?? [])],
    ExtraHosts: flags.addHost?.length ? [...flags.addHost] : null,
    GroupAdd: flags.groupAdd?.length ? [...flags.groupAdd] : null,
    IpcMode: "",
    Cgroup: "",
    Links: null,
    OomScoreAdj: 0,
    PidMode: "",
    Privileged: Boolean(flags.privileged),
    PublishAllPorts: Boolean(flags.publishAll),
    ReadonlyRootfs: Boolean(flags.readOnly),
    SecurityOpt: flags.securityOpt?.length ? [...flags.securityOpt] : null,
  };
  if (Object.keys(tmpfs).length > 0) hostConfig.Tmpfs = tmpfs;
  Object.assign(hostConfig, { UTSMode: "", UsernsMode: "", ShmSize: bytes("shmSize", flags.shmSize) });
  if (Object.keys(sysctls).length > 0) hostConfig.Sysctls = sysctls;
  if (flags.runtime) hostConfig.Runtime = flags.runtime;
  Object.assign(hostConfig, {
    Isolation: "",
    CpuShares: integer("cpuShares", flags.cpuShares),
    Memory: bytes("memory", flags.memory),
    NanoCpus: nanoCpus(flags.cpus),
    CgroupParent: "",
    BlkioWeight: 0,
    BlkioWeightDevice: null,
    BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null,
    BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null,
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: flags.cpusetCpus ?? "",
    CpusetMems: flags.cpusetMems ?? "",
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: bytes("memoryReservation", flags.memoryReservation),
    MemorySwap: bytes("memorySwap", flags.memorySwap, true),
    MemorySwappiness: -1,
    OomKillDisable: false,
    PidsLimit: integer("pidsLimit", flags.pidsLimit),
    Ulimits: flags.ulimit?.length ? flags.ulimit.map(ulimit) : null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
  });
  if (mounts.length > 0) hostConfig.Mounts = mounts;
  Object.assign(hostConfig, { MaskedPaths: null, ReadonlyPaths: null });
  if (flags.init !== undefined) hostConfig.Init = flags.init;

  return {
    name: flags.name,
    platform: flags.platform,
    pull,
    body: { ...config, HostConfig: hostConfig, NetworkingConfig: { EndpointsConfig: endpoints } },
  };
}
