import type { ImageDeleteItem, ImageRecord, PullProgress, RegistryCredentials } from "../engine/index.ts";
import type { Volume, VolumeCreateOptions, VolumeFilters, VolumePruneReport } from "../engine/index.ts";
import type { Containers, EngineEvent } from "../engine/index.ts";
import type { Logger } from "../lib/index.ts";
import type { PayloadCreateResult, RequestedSwarmSpec, ServiceCreateResult, ServiceUpdateOptions, ServiceUpdateResult } from "../manager/index.ts";
import type { Config, LogOptions, LogSelector, Node, NodeAvailability, PublishedLogLine, Secret, Service, Swarm, SwarmInfo, SystemInfo, SystemVersion, Task } from "../types/index.ts";

/** What the system routes read; the node gives the real one, tests a fixture. */
export interface SystemSource {
  version(): Promise<SystemVersion>;
  info(): Promise<SystemInfo>;
  /** The `Swarm` ping header: `inactive`, `active/manager`, `active/worker`, `locked`… */
  swarmHeader(): string;
}

/** The engine's images, as the image routes use them. */
export interface ImageSource {
  load(archive: AsyncIterable<Uint8Array>): Promise<ImageRecord[]>;
  pull(reference: string, onProgress: (progress: PullProgress) => void, auth?: RegistryCredentials): Promise<ImageRecord>;
  login(registry: string, auth: RegistryCredentials): Promise<void>;
  list(): ImageRecord[];
  get(reference: string): ImageRecord;
  remove(reference: string, force: boolean): Promise<ImageDeleteItem[]>;
}

/** The engine's named volumes, as the volume routes use them (the engine's VolumeStore). */
export interface VolumeSource {
  create(options: VolumeCreateOptions): Promise<Volume>;
  get(name: string): Volume;
  list(filters: VolumeFilters): Volume[];
  remove(name: string, force: boolean): Promise<void>;
  prune(filters: VolumeFilters): Promise<VolumePruneReport>;
}

/** The engine's containers, as the container routes use them. */
export type ContainerSource = Pick<Containers, "create" | "get" | "dir" | "list" | "start" | "stop" | "kill" | "restart" | "wait" | "remove" | "logs" | "execs" | "connectNetwork" | "disconnectNetwork" | "pause" | "rename" | "prune" | "attach" | "resize">;

/** A network as `GET /networks` shows it (moby's `NetworkResource`). */
export interface NetworkResource {
  Name: string;
  Id: string;
  Created: string;
  Scope: "local";
  Driver: string;
  EnableIPv6: boolean;
  IPAM: { Driver: "default"; Options: Record<string, string> | null; Config: { Subnet: string; Gateway?: string }[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string; IPv6Address: string }>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** What `POST /networks/create` asks for, checked. */
export interface NetworkCreateOptions {
  Name: string;
  Driver: string;
  Internal: boolean;
  Subnet?: string;
  Gateway?: string;
  Labels: Record<string, string>;
  Options: Record<string, string>;
}

/** The host's networks, as the network routes use them (docker's predefined ones included). */
export interface NetworkSource {
  list(): NetworkResource[];
  /** By ID, unique ID prefix or name; not_found otherwise. */
  get(idOrName: string): NetworkResource;
  create(options: NetworkCreateOptions): { Id: string; Warning: string };
  /** Refused for predefined networks and while containers are connected. */
  remove(idOrName: string): void;
}

/** The engine's events, as `/events` reads them. */
export interface EventSource {
  since(sinceNano: number): EngineEvent[];
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

/** `POST /swarm/init`'s body, checked (the Engine API's `InitRequest`); empty strings and zeros mean "the default". */
export interface SwarmInitRequest {
  ListenAddr: string;
  AdvertiseAddr: string;
  DataPathAddr: string;
  DataPathPort: number;
  ForceNewCluster: boolean;
  Spec: RequestedSwarmSpec | null;
  AutoLockManagers: boolean;
  Availability: NodeAvailability | "";
  DefaultAddrPool: string[];
  SubnetSize: number;
}

/** `POST /swarm/join`'s body, checked (the Engine API's `JoinRequest`). */
export interface SwarmJoinRequest {
  ListenAddr: string;
  AdvertiseAddr: string;
  DataPathAddr: string;
  /** Managers' `HOST:PORT`, at least one. */
  RemoteAddrs: string[];
  JoinToken: string;
  Availability: NodeAvailability | "";
}

/** This node's place in a swarm, as the swarm and node routes use it; the node gives the real one. */
export interface SwarmSource {
  /** `Info.Swarm` (inactive when in no swarm). */
  info(): SwarmInfo;
  /** Creates a swarm with this node as manager; resolves with the node ID. Refused (unavailable) when already in one. */
  init(request: SwarmInitRequest): Promise<string>;
  /** Joins a swarm through one of its managers. Refused (unavailable) when already in one. */
  join(request: SwarmJoinRequest): Promise<void>;
  /** The swarm with its join tokens; unavailable with Docker's text when this node is not a manager. */
  inspect(): Swarm;
  /** Leaves the swarm; a manager needs `force`. */
  leave(force: boolean): Promise<void>;
  /** Nodes passing Docker's node filters. */
  nodes(filters: Record<string, string[]>): Node[];
  /** A node by ID, hostname or unique ID prefix. */
  node(ref: string): Node;
  /** `POST /nodes/{id}/update?version=N` with the whole NodeSpec. */
  updateNode(ref: string, version: number, spec: Record<string, unknown>): Promise<void>;
  /** `DELETE /nodes/{id}?force=`. */
  removeNode(ref: string, force: boolean): Promise<void>;
  /** `POST /swarm/update?version=N&rotate…Token=&rotateManagerUnlockKey=`. */
  update(version: number, spec: Record<string, unknown>, rotate: { worker: boolean; manager: boolean; managerUnlockKey: boolean }): Promise<void>;
  /** `GET /swarm/unlockkey`: the managers' unlock key ("" while autolock is off). */
  unlockKey(): string;
  /** `POST /swarm/unlock`: starts this manager, locked by autolock, with its unlock key. */
  unlock(unlockKey: string): Promise<void>;
  /** `GET /services`: services passing Docker's service filters; `status` fills `ServiceStatus`. */
  services(filters: Record<string, string[]>, options: { status: boolean }): Service[];
  /** `GET /services/{id}`: by ID, name or unique ID prefix; `insertDefaults` fills SwarmKit's defaults. */
  service(ref: string, options: { insertDefaults: boolean }): Service;
  /** `POST /services/create` with the body and `X-Registry-Auth` as sent. */
  createService(spec: Record<string, unknown>, options: { registryAuth?: string }): Promise<ServiceCreateResult>;
  /** `POST /services/{id}/update?version=N[&rollback=previous][&registryAuthFrom=…]`. */
  updateService(ref: string, version: number, spec: Record<string, unknown>, options: ServiceUpdateOptions): Promise<ServiceUpdateResult>;
  /** `DELETE /services/{id}`: the service goes, its tasks are told to stop. */
  removeService(ref: string): Promise<void>;
  /** `GET /tasks`: tasks passing Docker's task filters. */
  tasks(filters: Record<string, string[]>): Task[];
  /** `GET /tasks/{id}`: by ID, name or unique ID prefix. */
  task(ref: string): Task;
  /** `GET /services/{id}/logs`, `/tasks/{id}/logs`: the lines of the selected tasks, gathered from their nodes by the managers. */
  serviceLogs(selector: LogSelector, options: LogOptions, signal: AbortSignal): AsyncIterable<{ lines: PublishedLogLine[]; warnings?: string[] }>;
  /** `GET /secrets`: secrets passing Docker's secret filters (id, name, names, label), never with their data. */
  secrets(filters: Record<string, string[]>): Secret[];
  /** `GET /secrets/{id}`: by ID, name or unique ID prefix, without its data. */
  secret(ref: string): Secret;
  /** `POST /secrets/create` with the `SecretSpec` body as sent. */
  createSecret(spec: unknown): Promise<PayloadCreateResult>;
  /** `POST /secrets/{id}/update?version=N`: only the labels may change. */
  updateSecret(ref: string, version: number, spec: unknown): Promise<void>;
  /** `DELETE /secrets/{id}`: refused while a service uses it. */
  removeSecret(ref: string): Promise<void>;
  /** `GET /configs`: configs passing Docker's config filters (id, name, label). */
  configs(filters: Record<string, string[]>): Config[];
  /** `GET /configs/{id}`: by ID, name or unique ID prefix, with its data. */
  config(ref: string): Config;
  /** `POST /configs/create` with the `ConfigSpec` body as sent. */
  createConfig(spec: unknown): Promise<PayloadCreateResult>;
  /** `POST /configs/{id}/update?version=N`: only the labels may change. */
  updateConfig(ref: string, version: number, spec: unknown): Promise<void>;
  /** `DELETE /configs/{id}`: refused while a service uses it. */
  removeConfig(ref: string): Promise<void>;
}

/** Everything the API needs from the layers below. */
export interface ApiDeps {
  system: SystemSource;
  images: ImageSource;
  containers: ContainerSource;
  volumes: VolumeSource;
  networks: NetworkSource;
  events: EventSource;
  swarm: SwarmSource;
  logger: Logger;
}

/** Hono environment of every API handler: the negotiated API version of the request. */
export interface ApiEnv {
  Variables: { apiVersion: string };
}
