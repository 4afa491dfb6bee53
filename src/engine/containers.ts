import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ShoalError, type Logger } from "../lib/index.ts";
import { writeContainerEtc, imageAccounts } from "./container-files.ts";
import { isValidContainerName, randomContainerName } from "./container-names.ts";
import { createdState, ZERO_TIME, type ContainerRecord, type ContainerState } from "./container-record.ts";
import { parseCreateRequest } from "./container-request.ts";
import type { AttachSession } from "./attach-session.ts";
import type { ContainerRuntime, LogLine } from "./container-runtime.ts";
import type { ContainerStore } from "./container-store.ts";
import type { EventLog } from "./event-log.ts";
import { Execs } from "./execs.ts";
import { HealthChecks } from "./health-checks.ts";
import { containerMounts } from "./container-mounts.ts";
import { isolatedNetworking, type ContainerNetworking, type VolumeProvider } from "./container-hooks.ts";
import { initProcess } from "./container-init.ts";
import { normalizeSignal, signalNumber } from "./signals.ts";
import { filterContainers, type ContainerFilters } from "./container-filters.ts";
import { logLimits } from "./log-limits.ts";
import type { ImageRecord, ImageStore } from "./image-store.ts";
import type { LayerStore } from "./layer-store.ts";
import { buildOciSpec, containerArgs, type ContainerOptions, type HostHardLimits, type ImageConfigFields } from "./oci-spec.ts";

/** What the containers service needs from the engine. */
export interface ContainersOptions {
  store: ContainerStore;
  runtime: ContainerRuntime;
  images: ImageStore;
  layers: LayerStore;
  events: EventLog;
  hardLimits: HostHardLimits;
  logger: Logger;
  networking?: ContainerNetworking;
  volumes?: VolumeProvider;
  /** Parent cgroup of every container (`/shoal`). */
  cgroupParent?: string;
  /** How often running containers are swept for an exit the watch missed, in ms. */
  exitPollMs?: number;
}

const STOP_TIMEOUT_S = 10;

/**
 * Docker's container lifecycle on top of the runtime: create (a record only), start (rootfs,
 * network, runc), stop/kill/restart, wait, remove, restart policies and auto-remove. Every
 * change is in the store before it is answered, so a restarted daemon finds its containers
 * again (re-adopting those still running).
 */
export class Containers {
  readonly #o: Required<Omit<ContainersOptions, "volumes">> & { volumes?: VolumeProvider };
  readonly #waiters = new Map<string, Set<() => void>>();
  readonly #restartTimers = new Map<string, ReturnType<typeof setTimeout>>();
  readonly #busy = new Map<string, Promise<unknown>>();
  /** Clients attached to a container that has not started yet: connected when it starts, before its process runs. */
  readonly #pendingAttach = new Map<string, Set<(connect: () => AttachSession) => void>>();
  #poller: ReturnType<typeof setInterval> | undefined;
  #unwatchExits: () => void = () => {};
  /** Containers believed to be running: the only ones whose exit is looked for. */
  readonly #running = new Set<string>();
  /** `docker exec` instances of the running containers. */
  readonly execs: Execs;
  readonly #health: HealthChecks;
  readonly #namesBeingCreated = new Set<string>();

  constructor(options: ContainersOptions) {
    this.#o = { ...options, networking: options.networking ?? isolatedNetworking, cgroupParent: options.cgroupParent ?? "/shoal", exitPollMs: options.exitPollMs ?? 1000 };
    this.execs = new Execs(options.store, options.runtime);
    this.#health = new HealthChecks({ store: options.store, runtime: options.runtime, events: options.events, logger: options.logger, attributes: (record) => this.#attributes(record) });
  }

  /** Re-adopts containers that kept running while the daemon was away; records those that exited. */
  async recover(): Promise<void> {
    for (const record of this.#o.store.list()) {
      if (!record.State.Running) continue;
      const state = this.#o.runtime.state(record.Id);
      if (state && (state.status === "running" || state.status === "paused")) {
        this.#o.logger.info("re-adopted running container", { container: record.Id.slice(0, 12), pid: state.pid });
        this.#health.watch(record.Id);
        this.#running.add(record.Id);
        continue;
      }
      await this.#exited(record.Id);
    }
    this.#unwatchExits = this.#o.runtime.watchExits((id) => void this.#noticeExit(id));
    // A slow sweep behind the watch, in case an inotify event is lost.
    this.#poller = setInterval(() => void this.#pollExits(), this.#o.exitPollMs);
  }

  /** Stops watching (containers keep running under conmon). */
  close(): void {
    clearInterval(this.#poller);
    this.#unwatchExits();
    this.#health.close();
    for (const timer of this.#restartTimers.values()) clearTimeout(timer);
  }

  get(reference: string): ContainerRecord {
    return this.#o.store.get(reference);
  }

  /** The container's directory (bundle, writable layer, log). */
  dir(reference: string): string {
    return this.#o.runtime.dir(this.#o.store.get(reference).Id);
  }

  /** `POST /containers/create`. The image must be local (the client pulls on 404). */
  async create(body: Record<string, unknown>, name?: string): Promise<{ record: ContainerRecord; warnings: string[] }> {
    const request = parseCreateRequest(body);
    if (name !== undefined && name !== "" && !isValidContainerName(name)) {
      throw new ShoalError("invalid_argument", `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    }
    const image = this.#o.images.get(request.config.Image);
    const imageConfig = image.Config as ImageConfigFields;
    const args = containerArgs(imageConfig, {
      cmd: request.config.Cmd ?? undefined,
      entrypoint: request.config.Entrypoint ?? undefined,
    });
    const id = randomBytes(32).toString("hex");
    // A generated name is held from the moment it is picked: concurrent creates must not pick the same one.
    const chosen = name ? name.replace(/^\//, "") : randomContainerName((candidate) => this.#nameTaken(candidate) || this.#namesBeingCreated.has(candidate));
    if (!name) this.#namesBeingCreated.add(chosen);
    const networkMode = request.hostConfig.NetworkMode === "default" ? "bridge" : request.hostConfig.NetworkMode;
    const record: ContainerRecord = {
      Id: id,
      Name: `/${chosen}`,
      Created: new Date().toISOString(),
      Image: image.ID,
      Path: args[0]!,
      Args: args.slice(1),
      Config: {
        ...request.config,
        Hostname: request.config.Hostname || id.slice(0, 12),
        Env: mergeEnv((imageConfig.Env as string[] | undefined) ?? [], request.config.Env),
        Cmd: request.config.Cmd ?? (request.config.Entrypoint ? null : (imageConfig.Cmd ?? null)),
        Entrypoint: request.config.Entrypoint ?? imageConfig.Entrypoint ?? null,
        WorkingDir: request.config.WorkingDir || imageConfig.WorkingDir || "",
        User: request.config.User || imageConfig.User || "",
        StopSignal: request.config.StopSignal ?? imageConfig.StopSignal,
        Labels: { ...((image.Config.Labels as Record<string, string> | undefined) ?? {}), ...request.config.Labels },
        Healthcheck: request.config.Healthcheck ?? (image.Config.Healthcheck as ContainerRecord["Config"]["Healthcheck"]),
      },
      HostConfig: { ...request.hostConfig, NetworkMode: networkMode },
      State: createdState(),
      RestartCount: 0,
      LogPath: this.#o.runtime.logPath(id),
      Mounts: [],
      NetworkSettings: { SandboxKey: "", Ports: {}, Networks: {} },
    };
    try {
      await this.#o.store.add(record);
    } finally {
      this.#namesBeingCreated.delete(chosen);
    }
    this.#o.events.emit("container", "create", id, this.#attributes(record));
    return { record, warnings: [] };
  }

  #nameTaken(name: string): boolean {
    try {
      this.#o.store.get(name);
      return true;
    } catch {
      return false;
    }
  }

  #attributes(record: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
    return { ...record.Config.Labels, image: record.Config.Image, name: record.Name.slice(1), ...extra };
  }

  /** Runs one operation at a time per container (start, stop, remove… never interleave). */
  async #serial<T>(id: string, operation: () => Promise<T>): Promise<T> {
    const previous = this.#busy.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(operation);
    this.#busy.set(id, next);
    try {
      return await next;
    } finally {
      if (this.#busy.get(id) === next) this.#busy.delete(id);
    }
  }

  /** `POST /containers/{id}/start`; false when it was already running (304). */
  start(reference: string): Promise<boolean> {
    const { Id } = this.#o.store.get(reference);
    return this.#serial(Id, () => this.#start(Id, false));
  }

  async #start(id: string, byPolicy: boolean): Promise<boolean> {
    const record = this.#o.store.get(id);
    if (record.State.Running) return false;
    if (record.State.Status === "removing") throw new ShoalError("failed_precondition", `container ${id.slice(0, 12)} is being removed`);
    const image = this.#o.images.find(record.Image as ImageRecord["ID"]);
    if (!image) throw new ShoalError("not_found", `No such image: ${record.Config.Image} (the image of container ${record.Name.slice(1)} was removed)`);
    const layers = [...image.Layers].reverse().map((layer) => this.#o.layers.path(layer));
    // A container started before: its runtime state from the last run goes (its writable layer and log stay).
    if (record.State.StartedAt !== ZERO_TIME) await this.#o.runtime.release(id);
    const dir = this.#o.runtime.dir(id);
    const etcDir = join(dir + "-etc");
    mkdirSync(etcDir, { recursive: true, mode: 0o700 });
    let network: Awaited<ReturnType<ContainerNetworking["attach"]>> | undefined;
    try {
      network = await this.#o.networking.attach(record);
      const address = Object.values(network.settings.Networks)[0]?.IPAddress || undefined;
      const mounts = [...writeContainerEtc(etcDir, record.Config.Hostname, address, record.HostConfig.ExtraHosts ?? []), ...(await containerMounts(record, this.#o.volumes))];
      const init = record.HostConfig.Init ? initProcess([record.Path, ...record.Args]) : undefined;
      if (init) mounts.push(init.mount);
      const options: ContainerOptions = {
        hostname: record.Config.Hostname,
        rootfs: "(set by the runtime)",
        cmd: init ? [] : (record.Config.Cmd ?? undefined),
        entrypoint: init ? init.args : (record.Config.Entrypoint ?? undefined),
        env: record.Config.Env,
        user: record.Config.User || undefined,
        workingDir: record.Config.WorkingDir || undefined,
        readOnlyRootfs: record.HostConfig.ReadonlyRootfs,
        capAdd: record.HostConfig.CapAdd ?? undefined,
        capDrop: record.HostConfig.CapDrop ?? undefined,
        sysctls: record.HostConfig.Sysctls,
        ulimits: record.HostConfig.Ulimits?.map((limit) => ({ name: limit.Name, soft: limit.Soft, hard: limit.Hard })),
        netnsPath: network.netnsPath,
        cgroupsPath: `${this.#o.cgroupParent}/${id}`,
        resources: {
          memoryBytes: record.HostConfig.Memory || undefined,
          nanoCpus: record.HostConfig.NanoCpus || undefined,
          cpuShares: record.HostConfig.CpuShares || undefined,
          cpusetCpus: record.HostConfig.CpusetCpus || undefined,
          pidsLimit: record.HostConfig.PidsLimit ?? undefined,
        },
        mounts: mounts.map((mount) => ({ ...mount, options: [...(mount.options ?? [])] })),
      };
      const imageConfig = { ...(image.Config as ImageConfigFields), Env: [] };
      const spec = buildOciSpec(imageConfig, options, imageAccounts(layers), this.#o.hardLimits);
      const size = record.HostConfig.ConsoleSize;
      await this.#o.runtime.create(id, spec, layers, {
        log: logLimits(record.HostConfig.LogConfig.Config),
        tty: record.Config.Tty,
        stdin: record.Config.OpenStdin,
        stdinOnce: record.Config.StdinOnce,
        consoleSize: size ? { rows: size[0], cols: size[1] } : undefined,
      });
      // Waiting clients connect now (conmon listens, the process has not run yet), so they miss no output.
      this.#connectPendingAttach(id);
      this.#o.runtime.start(id);
    } catch (error) {
      if (network) await this.#o.networking.detach(record).catch(() => {});
      await this.#o.runtime.release(id).catch(() => {});
      const message = error instanceof Error ? error.message : String(error);
      await this.#o.store.update({ ...record, State: { ...record.State, Error: message, ExitCode: 128 } });
      throw error;
    }
    const pid = this.#o.runtime.state(id)?.pid ?? 0;
    const started: ContainerRecord = {
      ...record,
      State: { ...record.State, Status: "running", Running: true, Restarting: false, Dead: false, OOMKilled: false, Pid: pid, ExitCode: 0, Error: "", StartedAt: new Date().toISOString(), FinishedAt: ZERO_TIME, Health: HealthChecks.initial(record) },
      RestartCount: byPolicy ? record.RestartCount + 1 : record.RestartCount,
      StoppedByUser: false,
      NetworkSettings: network.settings,
      Mounts: record.Mounts,
    };
    await this.#o.store.update(started);
    this.#running.add(id);
    this.#o.events.emit("container", "start", id, this.#attributes(started));
    this.#health.watch(id);
    return true;
  }

  /**
   * Attaches to an interactive container's main process (`Tty` or `OpenStdin`): at once when it
   * runs, otherwise at its next start (`docker run` and `docker start -a` attach first), before
   * its process runs. Ends waiting (rejects) when `signal` aborts.
   */
  attach(reference: string, signal?: AbortSignal): Promise<AttachSession> {
    const record = this.#o.store.get(reference);
    if (!record.Config.Tty && !record.Config.OpenStdin) throw new ShoalError("failed_precondition", `container ${record.Name.slice(1)} has neither a TTY nor an open stdin: follow its log instead`);
    if (record.State.Running) return Promise.resolve(this.#o.runtime.attach(record.Id));
    return new Promise((resolve, reject) => {
      const waiting = this.#pendingAttach.get(record.Id) ?? new Set();
      this.#pendingAttach.set(record.Id, waiting);
      const deliver = (connect: () => AttachSession) => {
        signal?.removeEventListener("abort", abort);
        try {
          resolve(connect());
        } catch (error) {
          reject(error);
        }
      };
      const abort = () => {
        waiting.delete(deliver);
        reject(new ShoalError("cancelled", "the client went away"));
      };
      waiting.add(deliver);
      signal?.addEventListener("abort", abort);
    });
  }

  #connectPendingAttach(id: string): void {
    const waiting = this.#pendingAttach.get(id);
    this.#pendingAttach.delete(id);
    for (const deliver of waiting ?? []) deliver(() => this.#o.runtime.attach(id));
  }

  /** `POST /containers/{id}/resize`: a TTY container's terminal size; others, and stopped ones, are left as they are. */
  resize(reference: string, rows: number, cols: number): void {
    const record = this.#o.store.get(reference);
    if (!record.Config.Tty || !record.State.Running) return;
    this.#o.runtime.resize(record.Id, rows, cols);
  }

  /** `POST /containers/{id}/stop`; false when it was not running (304). */
  stop(reference: string, timeoutS?: number, signal?: string): Promise<boolean> {
    const { Id } = this.#o.store.get(reference);
    this.#cancelRestart(Id);
    return this.#serial(Id, async () => {
      const record = this.#o.store.get(Id);
      if (!record.State.Running) {
        if (record.State.Restarting) await this.#o.store.update({ ...record, State: { ...record.State, Restarting: false, Status: "exited" }, StoppedByUser: true });
        return false;
      }
      await this.#o.store.update({ ...record, StoppedByUser: true });
      const grace = (timeoutS ?? record.Config.StopTimeout ?? STOP_TIMEOUT_S) * 1000;
      await this.#o.runtime.stop(Id, grace < 0 ? 365 * 24 * 3600_000 : grace, signal ?? record.Config.StopSignal ?? "SIGTERM");
      await this.#exited(Id);
      this.#o.events.emit("container", "stop", Id, this.#attributes(record));
      return true;
    });
  }

  /** `POST /containers/{id}/pause` and `/unpause`. */
  pause(reference: string, paused: boolean): Promise<void> {
    const { Id } = this.#o.store.get(reference);
    return this.#serial(Id, async () => {
      const record = this.#o.store.get(Id);
      if (!record.State.Running) throw new ShoalError("failed_precondition", `Container ${Id} is not running`);
      if (record.State.Paused === paused) throw new ShoalError("failed_precondition", paused ? `Container ${Id} is already paused` : `Container ${Id} is not paused`);
      this.#o.runtime.freeze(Id, paused);
      await this.#o.store.update({ ...record, State: { ...record.State, Paused: paused, Status: paused ? "paused" : "running" } });
      this.#o.events.emit("container", paused ? "pause" : "unpause", Id, this.#attributes(record));
    });
  }

  /** `POST /containers/{id}/rename?name=`. */
  rename(reference: string, name: string): Promise<void> {
    if (!isValidContainerName(name)) throw new ShoalError("invalid_argument", `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const { Id } = this.#o.store.get(reference);
    return this.#serial(Id, async () => {
      const record = this.#o.store.get(Id);
      const wanted = `/${name.replace(/^\//, "")}`;
      if (record.Name === wanted) throw new ShoalError("invalid_argument", `Error when allocating new name: Renaming a container with the same name as its current name`);
      await this.#o.store.rename(record, wanted);
      this.#o.events.emit("container", "rename", Id, this.#attributes({ ...record, Name: wanted }, { oldName: record.Name }));
    });
  }

  /** `POST /containers/prune`: removes stopped containers (created before `until`, with `label`s); returns their IDs. */
  async prune(filters: { until?: number; label?: string[] } = {}): Promise<string[]> {
    const removed: string[] = [];
    for (const record of this.#o.store.list()) {
      if (record.State.Running || record.State.Restarting || record.State.Paused) continue;
      if (filters.until !== undefined && Date.parse(record.Created) >= filters.until) continue;
      if (!filterContainers([record], { all: true, filters: { label: filters.label } }).length) continue;
      await this.remove(record.Id).then(
        () => removed.push(record.Id),
        () => {},
      );
    }
    return removed;
  }

  /** `POST /containers/{id}/kill`. */
  async kill(reference: string, signal = "SIGKILL"): Promise<void> {
    const record = this.#o.store.get(reference);
    if (!record.State.Running) throw new ShoalError("failed_precondition", `cannot kill container: ${reference}: container ${record.Id} is not running`);
    if (signal === "SIGKILL" || signal === "KILL" || signal === "9") await this.#o.store.update({ ...record, StoppedByUser: true });
    this.#o.runtime.kill(record.Id, normalizeSignal(signal));
    this.#o.events.emit("container", "kill", record.Id, this.#attributes(record, { signal: String(signalNumber(signal)) }));
  }

  /** `POST /containers/{id}/restart`. */
  async restart(reference: string, timeoutS?: number, signal?: string): Promise<void> {
    const { Id } = this.#o.store.get(reference);
    await this.stop(Id, timeoutS, signal);
    await this.#serial(Id, () => this.#start(Id, false));
    this.#o.events.emit("container", "restart", Id, this.#attributes(this.#o.store.get(Id)));
  }

  /**
   * `POST /containers/{id}/wait`: `not-running` (default) resolves at once for a stopped
   * container, `next-exit` at the next exit, `removed` once it is gone. Returns the exit code.
   */
  async wait(reference: string, condition = "not-running", signal?: AbortSignal): Promise<{ StatusCode: number; Error: { Message: string } | null }> {
    if (!["not-running", "next-exit", "removed", ""].includes(condition)) throw new ShoalError("invalid_argument", `invalid condition: "${condition}"`);
    const { Id } = this.#o.store.get(reference);
    let last = this.#o.store.find(Id)!;
    const done = () => {
      const now = this.#o.store.find(Id);
      if (now) last = now;
      if (condition === "removed") return now === undefined;
      if (condition === "next-exit") return false;
      return !now || (!now.State.Running && !now.State.Restarting);
    };
    if (!done()) {
      await new Promise<void>((resolve, reject) => {
        const set = this.#waiters.get(Id) ?? new Set();
        this.#waiters.set(Id, set);
        const listener = () => {
          const now = this.#o.store.find(Id);
          if (now) last = now;
          if (condition === "removed" ? now === undefined : !now || !now.State.Running) {
            set.delete(listener);
            resolve();
          }
        };
        set.add(listener);
        signal?.addEventListener("abort", () => {
          set.delete(listener);
          reject(new ShoalError("cancelled", "the client went away"));
        });
      });
    }
    return { StatusCode: last.State.ExitCode, Error: last.State.Error ? { Message: last.State.Error } : null };
  }

  #notify(id: string): void {
    for (const listener of [...(this.#waiters.get(id) ?? [])]) listener();
  }

  /** `DELETE /containers/{id}`. */
  remove(reference: string, force = false, removeVolumes = false): Promise<void> {
    const { Id } = this.#o.store.get(reference);
    this.#cancelRestart(Id);
    return this.#serial(Id, async () => {
      const record = this.#o.store.find(Id);
      if (!record) return;
      if (record.State.Running && !force) {
        throw new ShoalError("name_conflict", `cannot remove container "${record.Name}": container is running: stop the container before removing or force remove`);
      }
      if (record.State.Running) {
        await this.#o.store.update({ ...record, StoppedByUser: true });
        this.#o.runtime.kill(Id, "SIGKILL");
        await this.#o.runtime.wait(Id, 10_000).catch(() => {});
        await this.#exited(Id);
      }
      const current = this.#o.store.find(Id) ?? record;
      await this.#o.store.update({ ...current, State: { ...current.State, Status: "removing" } });
      await this.#o.networking.detach(current).catch((error) => this.#o.logger.warn("network detach failed", { container: Id.slice(0, 12), error: String(error) }));
      await this.#o.runtime.delete(Id);
      rmSync(this.#o.runtime.dir(Id) + "-etc", { recursive: true, force: true });
      void removeVolumes; // anonymous volumes are kept until `volume prune` (docker's -v removes them: not yet)
      await this.#o.store.remove(current);
      this.#o.events.emit("container", "destroy", Id, this.#attributes(current));
      this.#notify(Id);
    });
  }

  /** `GET /containers/json`. */
  list(options: { all?: boolean; limit?: number; filters?: ContainerFilters } = {}): ContainerRecord[] {
    return filterContainers(this.#o.store.list(), options);
  }


  /**
   * The container's log lines: those there now (the last `tail` of them), then with `follow`
   * new ones as they are written, until the container stops (or `until` settles: attach waits
   * for the next exit of a container that has not started yet) or `signal` aborts.
   */
  async *logs(reference: string, options: { follow?: boolean; tail?: number; signal?: AbortSignal; until?: Promise<unknown> } = {}): AsyncIterable<LogLine> {
    const record = this.#o.store.get(reference);
    const live = record.State.Running || record.State.Restarting || options.until !== undefined;
    if (!options.follow || !live || !existsSync(this.#o.runtime.dir(record.Id))) {
      const lines = this.#o.runtime.logs(record.Id);
      yield* options.tail !== undefined && options.tail >= 0 ? lines.slice(Math.max(0, lines.length - options.tail)) : lines;
      if (!options.follow || !live) return;
    }
    const aborter = new AbortController();
    options.signal?.addEventListener("abort", () => aborter.abort());
    // The runtime's follower ends at the exit; when the run never happens (a failed start) `until` ends it.
    const stop = () => void setTimeout(() => aborter.abort(), 1000);
    options.until?.then(stop, stop);
    while (!existsSync(this.#o.runtime.dir(record.Id)) && !aborter.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 20));
    if (aborter.signal.aborted) return;
    yield* this.#o.runtime.followLogs(record.Id, { tail: options.tail, signal: aborter.signal });
  }

  /**
   * `docker network connect`: a running container joins the network now; either way it joins it
   * at every start from now on.
   */
  connectNetwork(reference: string, network: string): Promise<void> {
    const { Id } = this.#o.store.get(reference);
    return this.#serial(Id, async () => {
      const record = this.#o.store.get(Id);
      if (record.HostConfig.NetworkMode === "none" || record.HostConfig.NetworkMode === "host") {
        throw new ShoalError("failed_precondition", `container cannot be connected to network ${network}: it uses the ${record.HostConfig.NetworkMode} network mode`);
      }
      const extra = new Set(record.ExtraNetworks ?? []);
      let settings = record.NetworkSettings;
      if (record.State.Running) {
        const { name, endpoint } = await this.#o.networking.connect(record, network);
        if (name === record.HostConfig.NetworkMode || extra.has(name)) throw new ShoalError("already_exists", `endpoint with name ${record.Name.slice(1)} already exists in network ${name}`);
        extra.add(name);
        settings = { ...settings, Networks: { ...settings.Networks, [name]: endpoint } };
      } else {
        if (network === record.HostConfig.NetworkMode || extra.has(network)) throw new ShoalError("already_exists", `endpoint with name ${record.Name.slice(1)} already exists in network ${network}`);
        extra.add(network);
      }
      await this.#o.store.update({ ...record, ExtraNetworks: [...extra], NetworkSettings: settings });
      this.#o.events.emit("network", "connect", network, { container: Id, name: network });
    });
  }

  /** `docker network disconnect`. */
  disconnectNetwork(reference: string, network: string): Promise<void> {
    const { Id } = this.#o.store.get(reference);
    return this.#serial(Id, async () => {
      const record = this.#o.store.get(Id);
      let name = network;
      const networks = { ...record.NetworkSettings.Networks };
      if (record.State.Running) {
        name = await this.#o.networking.disconnect(record, network);
        delete networks[name];
      }
      const extra = (record.ExtraNetworks ?? []).filter((candidate) => candidate !== name && candidate !== network);
      if (!record.State.Running && extra.length === (record.ExtraNetworks ?? []).length) {
        throw new ShoalError("not_found", `container ${record.Id.slice(0, 12)} is not connected to network ${network}`);
      }
      await this.#o.store.update({ ...record, ExtraNetworks: extra, NetworkSettings: { ...record.NetworkSettings, Networks: networks } });
      this.#o.events.emit("network", "disconnect", network, { container: Id, name });
    });
  }

  /** Whether any container uses the image (docker refuses `rmi` then). */
  imageInUse(imageId: string): ContainerRecord | undefined {
    return this.#o.store.list().find((record) => record.Image === imageId);
  }

  /** Names of the containers that mount volume `name`. */
  volumeUsers(name: string): string[] {
    return this.#o.store
      .list()
      .filter((record) => (record.HostConfig.Binds ?? []).some((bind) => bind.split(":")[0] === name) || (record.HostConfig.Mounts ?? []).some((mount) => mount.Type === "volume" && mount.Source === name))
      .map((record) => record.Id);
  }

  async #pollExits(): Promise<void> {
    for (const id of [...this.#running]) if (!this.#busy.has(id) && this.#o.runtime.exitCode(id) !== null) await this.#noticeExit(id);
  }

  /** Records an exit conmon reported; queued behind a start still in progress (a process may exit before its start is recorded). */
  async #noticeExit(id: string): Promise<void> {
    if (!this.#o.store.find(id)) return;
    await this.#serial(id, () => this.#exited(id)).catch((error) =>
      this.#o.logger.error("recording a container's exit failed", { container: id.slice(0, 12), error: String(error) }),
    );
  }

  /** Records that a container's process ended, then applies its restart policy or auto-remove. */
  async #exited(id: string): Promise<void> {
    const record = this.#o.store.find(id);
    this.#running.delete(id);
    if (!record || !record.State.Running) return;
    this.#health.stop(id);
    const code = this.#o.runtime.exitCode(id) ?? 255;
    const state: ContainerState = { ...record.State, Status: "exited", Running: false, Pid: 0, ExitCode: code, FinishedAt: new Date().toISOString(), OOMKilled: false };
    const exited = { ...record, State: state };
    await this.#o.networking.detach(exited).catch((error) => this.#o.logger.warn("network detach failed", { container: id.slice(0, 12), error: String(error) }));
    await this.#o.store.update(exited);
    this.#o.events.emit("container", "die", id, this.#attributes(exited, { exitCode: String(code) }));
    this.#notify(id);
    if (this.#shouldRestart(exited)) this.#scheduleRestart(exited);
    else if (exited.HostConfig.AutoRemove) void this.remove(id, true).catch(() => {});
  }

  #shouldRestart(record: ContainerRecord): boolean {
    if (record.StoppedByUser) return false;
    const policy = record.HostConfig.RestartPolicy;
    if (policy.Name === "always" || policy.Name === "unless-stopped") return true;
    if (policy.Name === "on-failure") return record.State.ExitCode !== 0 && (policy.MaximumRetryCount === 0 || record.RestartCount < policy.MaximumRetryCount);
    return false;
  }

  #scheduleRestart(record: ContainerRecord): void {
    const delay = Math.min(100 * 2 ** Math.min(record.RestartCount, 10), 60_000);
    void this.#o.store.update({ ...record, State: { ...record.State, Restarting: true, Status: "restarting" } });
    this.#restartTimers.set(
      record.Id,
      setTimeout(() => {
        this.#restartTimers.delete(record.Id);
        void this.#serial(record.Id, async () => {
          const current = this.#o.store.find(record.Id);
          if (!current?.State.Restarting) return;
          await this.#o.store.update({ ...current, State: { ...current.State, Restarting: false } });
          await this.#start(record.Id, true);
        }).catch((error) => this.#o.logger.warn("restart by policy failed", { container: record.Id.slice(0, 12), error: String(error) }));
      }, delay),
    );
  }

  #cancelRestart(id: string): void {
    const timer = this.#restartTimers.get(id);
    if (timer) clearTimeout(timer);
    this.#restartTimers.delete(id);
  }
}

/** The image's env overlaid with the container's (same name: the container's wins). */
function mergeEnv(image: string[], extra: string[]): string[] {
  const merged = new Map<string, string>();
  for (const entry of [...image, ...extra]) merged.set(entry.split("=")[0]!, entry);
  return [...merged.values()];
}

