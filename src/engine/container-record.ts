/**
 * A container as the engine keeps it: docker's inspect shape (Config, HostConfig, State…), so
 * `docker inspect` gets what it expects and the record survives daemon restarts unchanged.
 */

/** Docker's container states. */
export type ContainerStatus = "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";

/** Health of a container with a health check. */
export interface ContainerHealth {
  Status: "starting" | "healthy" | "unhealthy";
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

/** `State` of `docker inspect`. */
export interface ContainerState {
  Status: ContainerStatus;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: ContainerHealth;
}

/** A docker health check (durations in nanoseconds, as the API carries them). */
export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
  StartInterval?: number;
}

/** `Config` of a container (docker's ContainerConfig, the fields shoal honours). */
export interface ContainerConfig {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Healthcheck?: HealthConfig;
  Image: string;
  Volumes?: Record<string, Record<string, never>> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
}

/** One published port: `-p [HostIp:]HostPort:ContainerPort[/proto]`. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** A mount as `HostConfig.Mounts` gives it. */
export interface MountSpec {
  Type: "bind" | "volume" | "tmpfs";
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

/** `HostConfig` of a container (the fields shoal honours). */
export interface HostConfig {
  Binds: string[] | null;
  Mounts?: MountSpec[];
  Tmpfs?: Record<string, string>;
  NetworkMode: string;
  PortBindings: Record<string, PortBinding[] | null>;
  PublishAllPorts?: boolean;
  RestartPolicy: { Name: "" | "no" | "always" | "unless-stopped" | "on-failure"; MaximumRetryCount: number };
  AutoRemove: boolean;
  CapAdd: string[] | null;
  CapDrop: string[] | null;
  Privileged: boolean;
  ReadonlyRootfs: boolean;
  Sysctls?: Record<string, string>;
  Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
  Init?: boolean | null;
  Memory: number;
  NanoCpus: number;
  CpuShares: number;
  CpusetCpus: string;
  PidsLimit?: number | null;
  LogConfig: { Type: string; Config: Record<string, string> };
  /** The terminal size at start, [rows, cols] (TTY containers). */
  ConsoleSize?: [number, number];
  ExtraHosts?: string[] | null;
  Dns?: string[];
}

/** Where a started container sits on a network. */
export interface EndpointSettings {
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  MacAddress: string;
  Aliases?: string[] | null;
}

/** `NetworkSettings` of `docker inspect`. */
export interface NetworkSettings {
  SandboxKey: string;
  Ports: Record<string, PortBinding[] | null>;
  Networks: Record<string, EndpointSettings>;
}

/** A mount as `docker inspect` lists it (`Mounts`). */
export interface MountPoint {
  Type: "bind" | "volume" | "tmpfs";
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** Everything the engine keeps of one container. */
export interface ContainerRecord {
  Id: string;
  /** With docker's leading slash: `/web`. */
  Name: string;
  Created: string;
  /** The image's ID (its config digest). */
  Image: string;
  Path: string;
  Args: string[];
  Config: ContainerConfig;
  HostConfig: HostConfig;
  State: ContainerState;
  RestartCount: number;
  LogPath: string;
  Mounts: MountPoint[];
  NetworkSettings: NetworkSettings;
  /** Networks joined with `docker network connect` besides the NetworkMode one; joined again at every start. */
  ExtraNetworks?: string[];
  /** Set by `docker stop`: a restart policy does not bring the container back (until it is started again). */
  StoppedByUser?: boolean;
}

/** The zero time docker prints for "never". */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** The state of a container that was created and never started. */
export function createdState(): ContainerState {
  return { Status: "created", Running: false, Paused: false, Restarting: false, OOMKilled: false, Dead: false, Pid: 0, ExitCode: 0, Error: "", StartedAt: ZERO_TIME, FinishedAt: ZERO_TIME };
}
