/**
 * System types of the Docker Engine API (`GET /version`, `GET /info`), with the API's field names.
 * Only the fields shoal fills are listed; the docker CLI prints what is present.
 */

/** One component of the engine shown by `docker version` (Engine, runc, conmon…). */
export interface ComponentVersion {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

/** Body of `GET /version`. */
export interface SystemVersion {
  Platform: { Name: string };
  Components: ComponentVersion[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  Experimental: boolean;
  BuildTime: string;
}

/** State of this node in a swarm, as `Info.Swarm.LocalNodeState`. */
export type LocalNodeState = "inactive" | "pending" | "active" | "error" | "locked";

/** A manager a node knows how to reach. */
export interface PeerNode {
  NodeID: string;
  Addr: string;
}

/** Durations in the API are integer nanoseconds. */
export type Nanoseconds = number;

/** The swarm's settings (`SwarmSpec`). */
export interface SwarmSpec {
  Name: string;
  Labels: Record<string, string>;
  Orchestration: { TaskHistoryRetentionLimit: number };
  Raft: {
    SnapshotInterval: number;
    KeepOldSnapshots?: number;
    LogEntriesForSlowFollowers: number;
    ElectionTick: number;
    HeartbeatTick: number;
  };
  Dispatcher: { HeartbeatPeriod: Nanoseconds };
  CAConfig: {
    NodeCertExpiry: Nanoseconds;
    ExternalCAs?: { Protocol: string; URL: string; Options?: Record<string, string>; CACert: string }[];
    SigningCACert?: string;
    SigningCAKey?: string;
    ForceRotate?: number;
  };
  TaskDefaults: { LogDriver?: { Name: string; Options?: Record<string, string> } };
  EncryptionConfig: { AutoLockManagers: boolean };
}

/** The swarm's TLS identity: its trust root and the issuer of node certificates. */
export interface TLSInfo {
  TrustRoot: string;
  CertIssuerSubject: string;
  CertIssuerPublicKey: string;
}

/** Optimistic-concurrency version of a stored object. */
export interface ObjectVersion {
  Index: number;
}

/** The cluster as managers report it in `Info.Swarm.Cluster`. */
export interface ClusterInfo {
  ID: string;
  Version: ObjectVersion;
  CreatedAt: string;
  UpdatedAt: string;
  Spec: SwarmSpec;
  TLSInfo: TLSInfo;
  RootRotationInProgress: boolean;
  DataPathPort: number;
  DefaultAddrPool: string[];
  SubnetSize: number;
}

/** `Info.Swarm`: this node's place in a swarm. */
export interface SwarmInfo {
  NodeID: string;
  NodeAddr: string;
  LocalNodeState: LocalNodeState;
  ControlAvailable: boolean;
  Error: string;
  RemoteManagers: PeerNode[] | null;
  Nodes?: number;
  Managers?: number;
  Cluster?: ClusterInfo;
}

/** An OCI runtime the engine can use. */
export interface RuntimeInfo {
  path: string;
  runtimeArgs?: string[];
}

/** Body of `GET /info`. */
export interface SystemInfo {
  ID: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DriverStatus: [string, string][];
  Plugins: { Volume: string[]; Network: string[]; Authorization: string[] | null; Log: string[] };
  MemoryLimit: boolean;
  SwapLimit: boolean;
  CpuCfsPeriod: boolean;
  CpuCfsQuota: boolean;
  CPUShares: boolean;
  CPUSet: boolean;
  PidsLimit: boolean;
  IPv4Forwarding: boolean;
  Debug: boolean;
  NFd: number;
  NGoroutines: number;
  SystemTime: string;
  LoggingDriver: string;
  CgroupDriver: string;
  CgroupVersion: string;
  NEventsListener: number;
  KernelVersion: string;
  OperatingSystem: string;
  OSVersion: string;
  OSType: string;
  Architecture: string;
  IndexServerAddress: string;
  NCPU: number;
  MemTotal: number;
  DockerRootDir: string;
  Name: string;
  Labels: string[];
  ExperimentalBuild: boolean;
  ServerVersion: string;
  Runtimes: Record<string, RuntimeInfo>;
  DefaultRuntime: string;
  Swarm: SwarmInfo;
  LiveRestoreEnabled: boolean;
  Isolation: string;
  InitBinary: string;
  SecurityOptions: string[];
  Warnings: string[];
}

/** Docker's error body: `{"message": …}`. */
export interface ErrorResponse {
  message: string;
}
