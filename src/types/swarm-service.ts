/**
 * A swarm service and its task template as `docker service inspect` prints them (moby
 * `api/types/swarm/{service,task,container,network}.go`). Durations are integer nanoseconds.
 */
import type { Nanoseconds } from "./system.ts";
import type { Annotations, Driver, Platform, Resources, StoredObject } from "./swarm-meta.ts";
import type { ConfigReference, SecretReference } from "./swarm-secret.ts";

/** A bind, volume, tmpfs or npipe mount of a service's containers. */
export interface Mount {
  Type: "bind" | "volume" | "tmpfs" | "npipe" | "cluster" | "image";
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; Subpath?: string; DriverConfig?: Driver };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] };
}

/** A container health check (`HEALTHCHECK`). */
export interface HealthConfig {
  Test?: string[];
  Interval?: Nanoseconds;
  Timeout?: Nanoseconds;
  StartPeriod?: Nanoseconds;
  StartInterval?: Nanoseconds;
  Retries?: number;
}

/** resolv.conf settings of a service's containers. */
export interface DNSConfig {
  Nameservers?: string[];
  Search?: string[];
  Options?: string[];
}

/** The container a task runs. */
export interface ContainerSpec {
  Image: string;
  Labels?: Record<string, string>;
  Command?: string[];
  Args?: string[];
  Hostname?: string;
  Env?: string[];
  Dir?: string;
  User?: string;
  Groups?: string[];
  Init?: boolean;
  StopSignal?: string;
  TTY?: boolean;
  OpenStdin?: boolean;
  ReadOnly?: boolean;
  Mounts?: Mount[];
  StopGracePeriod?: Nanoseconds;
  Healthcheck?: HealthConfig;
  Hosts?: string[];
  DNSConfig?: DNSConfig;
  Secrets?: SecretReference[];
  Configs?: ConfigReference[];
  Isolation?: string;
  Sysctls?: Record<string, string>;
  CapabilityAdd?: string[];
  CapabilityDrop?: string[];
  Ulimits?: { Name: string; Soft: number; Hard: number }[];
  OomScoreAdj?: number;
  /**
   * Registry credentials for the node's pull (SwarmKit's `PullOptions`): the `X-Registry-Auth`
   * the client sent, base64url JSON. Kept in the stored spec for the agents; never shown by the API.
   */
  PullOptions?: { RegistryAuth?: string };
}

/** Resource limits and reservations of a task. */
export interface ResourceRequirements {
  Limits?: Resources & { Pids?: number };
  Reservations?: Resources;
}

/** When a task's container is restarted. */
export interface RestartPolicy {
  Condition?: "none" | "on-failure" | "any";
  Delay?: Nanoseconds;
  MaxAttempts?: number;
  Window?: Nanoseconds;
}

/** Where tasks may run. */
export interface Placement {
  Constraints?: string[];
  Preferences?: { Spread: { SpreadDescriptor: string } }[];
  MaxReplicas?: number;
  Platforms?: Platform[];
}

/** A network a task attaches to, by ID or name. */
export interface NetworkAttachmentConfig {
  Target: string;
  Aliases?: string[];
  DriverOpts?: Record<string, string>;
}

/** The template of a service's tasks. */
export interface TaskSpec {
  ContainerSpec?: ContainerSpec;
  Resources?: ResourceRequirements;
  RestartPolicy?: RestartPolicy;
  Placement?: Placement;
  Networks?: NetworkAttachmentConfig[];
  LogDriver?: Driver;
  /** Bumped to force a rolling update without other changes. */
  ForceUpdate: number;
  Runtime?: string;
}

/** How many tasks a service runs: exactly one of these is set. */
export type ServiceMode =
  | { Replicated: { Replicas: number } }
  | { Global: Record<string, never> }
  | { ReplicatedJob: { MaxConcurrent?: number; TotalCompletions?: number } }
  | { GlobalJob: Record<string, never> };

/** How a rolling update (or rollback) proceeds. */
export interface UpdateConfig {
  Parallelism: number;
  Delay?: Nanoseconds;
  FailureAction?: "pause" | "continue" | "rollback";
  Monitor?: Nanoseconds;
  MaxFailureRatio: number;
  Order: "stop-first" | "start-first";
}

/** A published or exposed port. */
export interface PortConfig {
  Name?: string;
  Protocol: "tcp" | "udp" | "sctp";
  TargetPort: number;
  PublishedPort?: number;
  PublishMode: "ingress" | "host";
}

/** How clients reach a service. */
export interface EndpointSpec {
  Mode?: "vip" | "dnsrr";
  Ports?: PortConfig[];
}

/** A service's desired state. */
export interface ServiceSpec extends Annotations {
  TaskTemplate: TaskSpec;
  Mode: ServiceMode;
  UpdateConfig?: UpdateConfig;
  RollbackConfig?: UpdateConfig;
  /** Deprecated since API 1.44: use `TaskTemplate.Networks`. */
  Networks?: NetworkAttachmentConfig[];
  EndpointSpec?: EndpointSpec;
}

/** A service's virtual IP on one network. */
export interface EndpointVirtualIP {
  NetworkID: string;
  Addr: string;
}

/** What the allocator gave a service: its ports and VIPs. */
export interface Endpoint {
  Spec: EndpointSpec;
  Ports?: PortConfig[];
  VirtualIPs?: EndpointVirtualIP[];
}

/** The state of a rolling update. */
export type UpdateState = "updating" | "paused" | "completed" | "rollback_started" | "rollback_paused" | "rollback_completed";

/** Progress of the last rolling update. */
export interface UpdateStatus {
  State: UpdateState;
  StartedAt?: string;
  CompletedAt?: string;
  Message?: string;
}

/** Running and desired task counts (`GET /services?status=true`). */
export interface ServiceStatus {
  RunningTasks: number;
  DesiredTasks: number;
  CompletedTasks: number;
}

/** A job service's iteration. */
export interface JobStatus {
  JobIteration: { Index: number };
  LastExecution?: string;
}

/** A swarm service. */
export interface Service extends StoredObject {
  Spec: ServiceSpec;
  /** The raft index at which `Spec` last changed (the store stamps it; status writes leave it). */
  SpecVersion?: { Index: number };
  PreviousSpec?: ServiceSpec;
  Endpoint: Endpoint;
  UpdateStatus?: UpdateStatus;
  ServiceStatus?: ServiceStatus;
  JobStatus?: JobStatus;
}

/** The mode's name of a service spec, as the `mode` filter of `GET /services` says it. */
export function serviceModeName(mode: ServiceMode): "replicated" | "global" | "replicated-job" | "global-job" {
  if ("Replicated" in mode) return "replicated";
  if ("Global" in mode) return "global";
  if ("ReplicatedJob" in mode) return "replicated-job";
  return "global-job";
}
