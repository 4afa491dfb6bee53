import type { ImageDeleteItem, ImageRecord, PullProgress, RegistryCredentials } from "../engine/index.ts";
import type { Volume, VolumeCreateOptions, VolumeFilters, VolumePruneReport } from "../engine/index.ts";
import type { Containers, EngineEvent } from "../engine/index.ts";
import type { Logger } from "../lib/index.ts";
import type { SystemInfo, SystemVersion } from "../types/index.ts";

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
export type ContainerSource = Pick<Containers, "create" | "get" | "dir" | "list" | "start" | "stop" | "kill" | "restart" | "wait" | "remove" | "logs" | "execs">;

/** The engine's events, as `/events` reads them. */
export interface EventSource {
  since(sinceNano: number): EngineEvent[];
  subscribe(listener: (event: EngineEvent) => void): () => void;
}

/** Everything the API needs from the layers below. */
export interface ApiDeps {
  system: SystemSource;
  images: ImageSource;
  containers: ContainerSource;
  volumes: VolumeSource;
  events: EventSource;
  logger: Logger;
}

/** Hono environment of every API handler: the negotiated API version of the request. */
export interface ApiEnv {
  Variables: { apiVersion: string };
}
