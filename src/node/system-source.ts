import type { SystemSource } from "../api/index.ts";
import { API_VERSION, BUILD_INFO, MIN_API_VERSION, goArch } from "../lib/index.ts";
import type { ComponentVersion, SwarmInfo, SystemInfo, SystemVersion } from "../types/index.ts";
import { readdirSync } from "node:fs";
import { componentVersion, type HostFacts } from "./host-probe.ts";

/** What the system source reports beside the host's facts. */
export interface SystemSourceOptions {
  facts: HostFacts;
  engineId: string;
  /** How many images the engine holds. */
  imageCount: () => number;
  /** How many containers there are, by state (none before the engine's containers are open). */
  containerCounts?: () => { running: number; paused: number; stopped: number };
  /** The OCI runtime containers run under (`runc` or `crun`). */
  defaultRuntime?: string;
  dataRoot: string;
  debug: boolean;
  /** This node's place in a swarm (`Info.Swarm` and the `Swarm` ping header); inactive without one. */
  swarm?: { info(): SwarmInfo; header(): string };
}

/** The node's `/version`, `/info` and ping answers, from its host facts and engine state. */
export function createSystemSource(options: SystemSourceOptions): SystemSource {
  const { facts } = options;
  let components: Promise<ComponentVersion[]> | undefined;

  const loadComponents = async (): Promise<ComponentVersion[]> => {
    const found: ComponentVersion[] = [];
    for (const [name, path] of Object.entries({ ...facts.runtimes, ...(facts.conmonPath ? { conmon: facts.conmonPath } : {}) })) {
      const version = await componentVersion(path);
      if (version) found.push({ Name: name, Version: version, Details: { Path: path } });
    }
    return found;
  };

  return {
    swarmHeader: () => options.swarm?.header() ?? "inactive",

    async version(): Promise<SystemVersion> {
      components ??= loadComponents();
      const engine: ComponentVersion = {
        Name: "Engine",
        Version: BUILD_INFO.version,
        Details: {
          ApiVersion: API_VERSION,
          MinAPIVersion: MIN_API_VERSION,
          GitCommit: BUILD_INFO.gitCommit,
          GoVersion: `bun${BUILD_INFO.bunVersion}`,
          Os: "linux",
          Arch: goArch(),
          KernelVersion: facts.kernelVersion,
          Experimental: "false",
          BuildTime: BUILD_INFO.buildTime,
        },
      };
      return {
        Platform: { Name: "shoal Engine" },
        Components: [engine, ...(await components)],
        Version: BUILD_INFO.version,
        ApiVersion: API_VERSION,
        MinAPIVersion: MIN_API_VERSION,
        GitCommit: BUILD_INFO.gitCommit,
        GoVersion: `bun${BUILD_INFO.bunVersion}`,
        Os: "linux",
        Arch: goArch(),
        KernelVersion: facts.kernelVersion,
        Experimental: false,
        BuildTime: BUILD_INFO.buildTime,
      };
    },

    async info(): Promise<SystemInfo> {
      const counts = options.containerCounts?.() ?? { running: 0, paused: 0, stopped: 0 };
      const runtimes = Object.fromEntries(Object.entries(facts.runtimes).map(([name, path]) => [name, { path }]));
      return {
        ID: options.engineId,
        Containers: counts.running + counts.paused + counts.stopped,
        ContainersRunning: counts.running,
        ContainersPaused: counts.paused,
        ContainersStopped: counts.stopped,
        Images: options.imageCount(),
        Driver: "overlayfs",
        DriverStatus: [],
        Plugins: { Volume: ["local"], Network: ["bridge", "overlay"], Authorization: null, Log: ["k8s-file"] },
        MemoryLimit: true,
        SwapLimit: false,
        CpuCfsPeriod: true,
        CpuCfsQuota: true,
        CPUShares: true,
        CPUSet: true,
        PidsLimit: true,
        IPv4Forwarding: facts.ipv4Forwarding,
        Debug: options.debug,
        NFd: openFileCount(),
        NGoroutines: 0,
        SystemTime: new Date().toISOString(),
        LoggingDriver: "k8s-file",
        CgroupDriver: "cgroupfs",
        CgroupVersion: facts.cgroupVersion,
        NEventsListener: 0,
        KernelVersion: facts.kernelVersion,
        OperatingSystem: facts.operatingSystem,
        OSVersion: facts.osVersion,
        OSType: "linux",
        Architecture: facts.architecture,
        IndexServerAddress: "https://index.docker.io/v1/",
        NCPU: facts.ncpu,
        MemTotal: facts.memTotal,
        DockerRootDir: options.dataRoot,
        Name: facts.hostname,
        Labels: [],
        ExperimentalBuild: false,
        ServerVersion: BUILD_INFO.version,
        Runtimes: runtimes,
        DefaultRuntime: options.defaultRuntime ?? "runc",
        Swarm: options.swarm?.info() ?? { NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "", RemoteManagers: null },
        // Containers belong to conmon and outlive a daemon restart: docker's live restore, always on.
        LiveRestoreEnabled: true,
        Isolation: "",
        InitBinary: "",
        SecurityOptions: [],
        Warnings: facts.warnings.map((warning) => `WARNING: ${warning}`),
      };
    },
  };
}

function openFileCount(): number {
  try {
    return readdirSync("/proc/self/fd").length;
  } catch {
    return 0;
  }
}
