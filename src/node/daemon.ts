import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { dirname, join } from "node:path";
import { mountFilesystem, sdNotify, tryLockFile, unmount, type FileLock } from "../../native/index.ts";
import { ContainerTaskExecutor, TaskFiles, engineForTasks } from "../agent/index.ts";
import { createApi, hijackRoutes, type ApiDeps } from "../api/index.ts";
import { Engine, VolumeStore, parseHardLimits, type Containers } from "../engine/index.ts";
import { serveApi, type ApiServer } from "./api-server.ts";
import { chooseOciRuntime } from "./oci-runtime-choice.ts";
import { BUILD_INFO, ShoalError, systemClock, type Logger } from "../lib/index.ts";
import type { DaemonOptions } from "./daemon-options.ts";
import { probeHost } from "./host-probe.ts";
import { bridgeNetworking } from "./container-networking.ts";
import { HostNetworks } from "./network-source.ts";
import { NodeSwarm } from "./node-swarm.ts";
import { createSystemSource } from "./system-source.ts";

/** A started daemon. */
export interface RunningDaemon {
  readonly options: DaemonOptions;
  /** Stops serving, removes the socket, closes storage and releases the data root; idempotent. */
  stop(): Promise<void>;
}

/** Answers whether something serves the API on `socketPath` right now. */
async function socketAnswers(socketPath: string): Promise<boolean> {
  try {
    const response = await fetch("http://shoal/_ping", { unix: socketPath, signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
}

function lockDataRoot(dataRoot: string): FileLock {
  const lockPath = join(dataRoot, "shoal.lock");
  const lock = tryLockFile(lockPath);
  if (!lock) {
    throw new ShoalError(
      "failed_precondition",
      `data root ${dataRoot} is in use by another shoal daemon (it holds ${lockPath}); stop that daemon or start this one with another --data-root`,
    );
  }
  writeFileSync(lockPath, `${process.pid}\n`);
  return lock;
}

async function claimSocket(socketPath: string): Promise<void> {
  mkdirSync(dirname(socketPath), { recursive: true, mode: 0o711 });
  if (!existsSync(socketPath)) return;
  if (await socketAnswers(socketPath)) {
    throw new ShoalError(
      "failed_precondition",
      `another shoal daemon is already serving on ${socketPath}; stop it or start this one with another --host or --exec-root`,
    );
  }
  rmSync(socketPath, { force: true }); // left by a daemon that died without cleaning up
}

/**
 * Starts the per-host engine: takes the data root's lock, opens its storage, probes the host and
 * serves the Docker Engine API on the unix socket (mode 0660). Ready when this resolves.
 */
export async function startDaemon(options: DaemonOptions, logger: Logger): Promise<RunningDaemon> {
  const log = logger.with({ module: "daemon" });
  mkdirSync(options.dataRoot, { recursive: true, mode: 0o711 });
  mkdirSync(options.execRoot, { recursive: true, mode: 0o711 });
  const lock = lockDataRoot(options.dataRoot);
  let engine: Engine | undefined;
  let server: ApiServer | undefined;
  let swarm: NodeSwarm | undefined;
  let executor: ContainerTaskExecutor | undefined;
  const pidFile = join(options.execRoot, "shoal.pid");

  const cleanup = async () => {
    if (server) {
      // Only the socket and pid file this daemon made: a refused start must not touch another's.
      await server.close();
      rmSync(options.socketPath, { force: true });
      rmSync(pidFile, { force: true });
    }
    await swarm?.stop();
    await executor?.close();
    await engine?.close();
    lock.release();
  };

  try {
    await claimSocket(options.socketPath); // before anything touches the host (bridges, rules)
    engine = await Engine.open(options.dataRoot, { insecureRegistries: options.insecureRegistries });
    const images = engine.images;
    let containers: Containers | undefined;
    const volumes = new VolumeStore({
      db: engine.meta.db,
      root: join(options.dataRoot, "engine", "volumes"),
      usedBy: (name) => containers?.volumeUsers(name) ?? [],
      mounter: { mount: (device, target, type, data) => mountFilesystem(device, target, type, data), unmount: (target) => unmount(target) },
    });
    const networks = new HostNetworks({
      stateDir: join(options.dataRoot, "network"),
      engineId: engine.meta.engineId,
      logger: logger.with({ module: "network" }),
      containerName: (id) => {
        try {
          return containers?.get(id).Name.replace(/^\//, "") ?? "";
        } catch {
          return "";
        }
      },
    });
    networks.start({ defaultBridge: options.defaultBridge });
    const facts = probeHost();
    for (const warning of facts.warnings) log.warn(warning, { check: "host" });
    const ociRuntime = chooseOciRuntime({ cgroupVersion: facts.cgroupVersion, installed: (path) => existsSync(path) });
    log.info("oci runtime chosen", { runtime: ociRuntime.name, path: ociRuntime.path, "cgroup.version": facts.cgroupVersion });
    containers = await engine.startContainers({
      ociRuntime: ociRuntime.path,
      execRoot: options.execRoot,
      logger: logger.with({ module: "containers" }),
      hardLimits: parseHardLimits(readFileSync("/proc/self/limits", "utf8")),
      volumes,
      networking: bridgeNetworking({ bridges: () => networks.bridges(), predefinedId: (name) => networks.predefinedId(name), logger }),
    });
    const opened = engine;
    // Swarm tasks become containers of this engine; their secrets and configs live under the exec root.
    executor = new ContainerTaskExecutor({ engine: engineForTasks(engine), files: new TaskFiles(join(options.execRoot, "swarm", "tasks")), clock: systemClock, logger });
    swarm = await NodeSwarm.open({
      dataRoot: options.dataRoot,
      logger,
      facts: {
        hostname: facts.hostname,
        architecture: facts.architecture,
        nanoCpus: facts.ncpu * 1e9,
        memoryBytes: facts.memTotal,
        engineVersion: BUILD_INFO.version,
      },
      interfaces: () => networkInterfaces(),
      executor,
      onClusterEvent: (event) => opened.events.emitSwarm(event.Type, event.Action, event.id, event.attributes, event.timeNano),
    });
    const system = createSystemSource({
      swarm,
      facts,
      engineId: engine.meta.engineId,
      imageCount: () => images.list().length,
      containerCounts: () => {
        const all = opened.containers.list({ all: true });
        const running = all.filter((record) => record.State.Running && !record.State.Paused).length;
        const paused = all.filter((record) => record.State.Paused).length;
        return { running, paused, stopped: all.length - running - paused };
      },
      defaultRuntime: ociRuntime.name,
      dataRoot: options.dataRoot,
      debug: options.logLevel === "debug",
    });
    const deps: ApiDeps = {
      system,
      images: {
        load: (archive) => opened.loadImages(archive),
        pull: (reference, onProgress, auth) => opened.pullImage(reference, onProgress, auth),
        login: (registry, auth) => opened.login(registry, auth),
        list: () => images.list(),
        get: (reference) => images.get(reference),
        remove: (reference, force) => opened.removeImage(reference, force),
      },
      containers,
      volumes,
      networks,
      events: engine.events,
      swarm,
      logger: logger.with({ module: "api" }),
    };
    const app = createApi(deps);

    server = await serveApi({ socketPath: options.socketPath, fetch: app.fetch, hijack: hijackRoutes(deps), logger: logger.with({ module: "api" }) });
    chmodSync(options.socketPath, 0o660);
    writeFileSync(pidFile, `${process.pid}\n`);
  } catch (error) {
    await cleanup();
    throw error;
  }

  log.info("daemon ready", {
    version: BUILD_INFO.version,
    "engine.id": engine.meta.engineId,
    "data.root": options.dataRoot,
    socket: options.socketPath,
    pid: process.pid,
  });
  sdNotify("READY=1\nSTATUS=serving the API\nMAINPID=" + process.pid);

  let stopping: Promise<void> | undefined;
  return {
    options,
    stop() {
      stopping ??= (async () => {
        sdNotify("STOPPING=1");
        log.info("daemon stopping");
        await cleanup();
        log.info("daemon stopped");
      })();
      return stopping;
    },
  };
}
