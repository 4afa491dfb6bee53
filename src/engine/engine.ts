import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ShoalError, type Logger } from "../lib/index.ts";
import { ContainerRuntime } from "./container-runtime.ts";
import { ContainerStore } from "./container-store.ts";
import { Containers } from "./containers.ts";
import type { ContainerNetworking, VolumeProvider } from "./container-hooks.ts";
import { EventLog } from "./event-log.ts";
import type { HostHardLimits } from "./oci-spec.ts";
import { ContentStore } from "./content-store.ts";
import { openEngineMeta, type EngineMeta } from "./engine-identity.ts";
import { loadImageArchive } from "./image-archive.ts";
import { ImageStore, normalizeTag, type ImageRecord } from "./image-store.ts";
import { LayerStore } from "./layer-store.ts";
import { pullImage, type PullProgress } from "./image-pull.ts";
import { RegistryClient, type RegistryClientOptions, type RegistryCredentials } from "./registry-client.ts";

/** What removing an image did, in docker's terms. */
export type ImageDeleteItem = { Untagged: string } | { Deleted: string };

/** What the engine's containers need from the node. */
export interface EngineContainerOptions {
  /** `<exec-root>`: runc state, conmon's exit files and sockets go under `<exec-root>/runtime`. */
  execRoot: string;
  logger: Logger;
  hardLimits: HostHardLimits;
  networking?: ContainerNetworking;
  volumes?: VolumeProvider;
  /** Parent cgroup of the containers (default `/shoal`). */
  cgroupParent?: string;
  /** Path of the OCI runtime (default runc). */
  ociRuntime?: string;
}

/**
 * The local container engine as the daemon sees it: its identity, images and containers, kept
 * under `<data-root>/engine/` (blobs/, layers/, containers/, meta.mdb, tmp/), and its events.
 */
export class Engine {
  readonly meta: EngineMeta;
  readonly content: ContentStore;
  readonly layers: LayerStore;
  readonly images: ImageStore;
  readonly registry: RegistryClient;
  readonly events = new EventLog();
  readonly #root: string;
  #containers: Containers | undefined;
  readonly #registryOptions: RegistryClientOptions;
  readonly #scratch: string;
  readonly #pulls = new Map<string, { done: Promise<ImageRecord>; listeners: Set<(progress: PullProgress) => void> }>();

  private constructor(meta: EngineMeta, root: string, registry: RegistryClientOptions) {
    this.#registryOptions = registry;
    this.registry = new RegistryClient(registry);
    this.meta = meta;
    this.content = new ContentStore(join(root, "blobs"));
    this.layers = new LayerStore(join(root, "layers"));
    this.images = new ImageStore(meta.db);
    this.#root = root;
    this.#scratch = join(root, "tmp");
    rmSync(this.#scratch, { recursive: true, force: true }); // leftovers of an interrupted load
    mkdirSync(this.#scratch, { recursive: true, mode: 0o700 });
  }

  /** Opens (creating when new) the engine under `dataRoot`. */
  static async open(dataRoot: string, registry: RegistryClientOptions = {}): Promise<Engine> {
    const meta = await openEngineMeta(dataRoot);
    return new Engine(meta, join(dataRoot, "engine"), registry);
  }

  /** The containers; there are none until {@link Engine.startContainers} ran. */
  get containers(): Containers {
    if (!this.#containers) throw new ShoalError("unavailable", "the engine's containers are not started");
    return this.#containers;
  }

  /** Opens the containers (re-adopting those that kept running while the daemon was away). */
  async startContainers(options: EngineContainerOptions): Promise<Containers> {
    const runtime = new ContainerRuntime({ containersDir: join(this.#root, "containers"), execRoot: join(options.execRoot, "runtime"), ...(options.ociRuntime ? { runtime: options.ociRuntime } : {}) });
    this.#containers = new Containers({
      store: new ContainerStore(this.meta.db),
      runtime,
      images: this.images,
      layers: this.layers,
      events: this.events,
      hardLimits: options.hardLimits,
      logger: options.logger,
      networking: options.networking,
      volumes: options.volumes,
      cgroupParent: options.cgroupParent,
    });
    await this.#containers.recover();
    return this.#containers;
  }

  /** A registry client using `auth` (what a client sent with its request), or the shared one. */
  #client(auth?: RegistryCredentials): RegistryClient {
    return auth ? new RegistryClient({ ...this.#registryOptions, credentials: () => auth }) : this.registry;
  }

  /** `docker login`: checks credentials against a registry (they are not stored: clients send them with each pull). */
  login(registry: string, auth: RegistryCredentials): Promise<void> {
    return this.#client(auth).login(registry);
  }

  /** `docker pull`; concurrent pulls of one reference (by one user) share one download and see its progress. */
  pullImage(reference: string, onProgress: (progress: PullProgress) => void = () => {}, auth?: RegistryCredentials): Promise<ImageRecord> {
    const key = `${reference} ${auth?.username ?? ""}`;
    let pull = this.#pulls.get(key);
    if (!pull) {
      // The caller listens before the pull starts, so it sees the first line too.
      const listeners = new Set<(progress: PullProgress) => void>([onProgress]);
      const done = pullImage(reference, {
        registry: this.#client(auth),
        content: this.content,
        layers: this.layers,
        images: this.images,
        onProgress: (progress) => listeners.forEach((listener) => listener(progress)),
      }).finally(() => this.#pulls.delete(key));
      pull = { done, listeners };
      this.#pulls.set(key, pull);
    }
    const current = pull;
    current.listeners.add(onProgress);
    return current.done.finally(() => current.listeners.delete(onProgress));
  }

  /** `docker load`: stores the images of a docker-save or OCI-layout archive. */
  loadImages(archive: AsyncIterable<Uint8Array>): Promise<ImageRecord[]> {
    return loadImageArchive(archive, { content: this.content, layers: this.layers, images: this.images, scratch: this.#scratch });
  }

  /**
   * `docker rmi`: by tag, untags (and deletes the image when that was its last tag); by ID,
   * deletes the image, refusing while it has several tags unless forced. Layers no other image
   * uses are removed with it.
   */
  async removeImage(reference: string, force = false): Promise<ImageDeleteItem[]> {
    const image = this.images.get(reference);
    const user = this.#containers?.imageInUse(image.ID);
    if (user && (!force || user.State.Running)) {
      const how = user.State.Running ? "cannot be forced" : "must be forced";
      const what = reference.startsWith("sha256:") || /^[0-9a-f]{12,64}$/.test(reference) ? `delete ${image.ID.slice(7, 19)}` : `remove repository reference "${reference}"`;
      throw new ShoalError("name_conflict", `conflict: unable to ${what} (${how}) - container ${user.Id.slice(0, 12)} is using its referenced image ${image.ID.slice(7, 19)}`);
    }
    const tag = image.RepoTags.find((name) => name === normalizeTag(reference));
    const items: ImageDeleteItem[] = [];
    if (tag && image.RepoTags.length > 1) {
      await this.images.untag(tag);
      return [{ Untagged: tag }];
    }
    if (!tag && image.RepoTags.length > 1 && !force) {
      throw new ShoalError("name_conflict", `conflict: unable to delete ${image.ID.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`);
    }
    for (const name of image.RepoTags) items.push({ Untagged: name });
    const stillUsed = new Set(this.images.list().filter((other) => other.ID !== image.ID).flatMap((other) => other.Layers));
    await this.images.remove(image.ID);
    for (const layer of image.Layers) if (!stillUsed.has(layer)) rmSync(this.layers.path(layer), { recursive: true, force: true });
    rmSync(this.content.path(image.ID), { force: true });
    items.push({ Deleted: image.ID });
    return items;
  }

  close(): Promise<void> {
    this.#containers?.close();
    return this.meta.close();
  }
}
