import type { ApiDeps, ImageSource, SwarmSource, SystemSource } from "../../src/api/index.ts";
import { ShoalError } from "../../src/lib/index.ts";
import { NOT_A_MANAGER_MESSAGE, NOT_IN_SWARM_MESSAGE } from "../../src/manager/index.ts";
import type { SystemInfo, SystemVersion } from "../../src/types/index.ts";

/** A `GET /version` body with overridable fields. */
export function systemVersion(overrides: Partial<SystemVersion> = {}): SystemVersion {
  return {
    Platform: { Name: "shoal Engine" },
    Components: [{ Name: "Engine", Version: "0.1.0", Details: { ApiVersion: "1.51", MinAPIVersion: "1.24" } }],
    Version: "0.1.0",
    ApiVersion: "1.51",
    MinAPIVersion: "1.24",
    GitCommit: "abc1234",
    GoVersion: "bun1.4.5",
    Os: "linux",
    Arch: "amd64",
    KernelVersion: "6.1.0",
    Experimental: false,
    BuildTime: "2026-11-25T00:00:00Z",
    ...overrides,
  };
}

/** A `GET /info` body of a node outside any swarm, with overridable fields. */
export function systemInfo(overrides: Partial<SystemInfo> = {}): SystemInfo {
  return {
    ID: "0123456789abcdefghijklmno",
    Containers: 0,
    ContainersRunning: 0,
    ContainersPaused: 0,
    ContainersStopped: 0,
    Images: 0,
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
    IPv4Forwarding: true,
    Debug: false,
    NFd: 10,
    NGoroutines: 0,
    SystemTime: "2026-11-25T00:00:00.000Z",
    LoggingDriver: "k8s-file",
    CgroupDriver: "cgroupfs",
    CgroupVersion: "1",
    NEventsListener: 0,
    KernelVersion: "6.1.0",
    OperatingSystem: "Debian GNU/Linux 12 (bookworm)",
    OSVersion: "12",
    OSType: "linux",
    Architecture: "x86_64",
    IndexServerAddress: "https://index.docker.io/v1/",
    NCPU: 2,
    MemTotal: 25_000_000_000,
    DockerRootDir: "/var/lib/shoal",
    Name: "manager1",
    Labels: [],
    ExperimentalBuild: false,
    ServerVersion: "0.1.0",
    Runtimes: { runc: { path: "/usr/sbin/runc" } },
    DefaultRuntime: "runc",
    Swarm: {
      NodeID: "",
      NodeAddr: "",
      LocalNodeState: "inactive",
      ControlAvailable: false,
      Error: "",
      RemoteManagers: null,
    },
    LiveRestoreEnabled: false,
    Isolation: "",
    InitBinary: "",
    SecurityOptions: [],
    Warnings: [],
    ...overrides,
  };
}

/** A SystemSource that serves the fixtures above. */
export function fixedSystem(info: SystemInfo = systemInfo(), version: SystemVersion = systemVersion()): SystemSource {
  return {
    version: async () => version,
    info: async () => info,
    swarmHeader: () => (info.Swarm.LocalNodeState === "active" ? (info.Swarm.ControlAvailable ? "active/manager" : "active/worker") : info.Swarm.LocalNodeState),
  };
}

/** An ImageSource holding no images (load refuses: tests of other routes do not load). */
export function noImages(): ImageSource {
  return {
    load: async () => {
      throw new Error("no image store in this test");
    },
    pull: async () => {
      throw new Error("no registry in this test");
    },
    login: async () => {
      throw new Error("no registry in this test");
    },
    list: () => [],
    get: (reference) => {
      throw new ShoalError("not_found", `No such image: ${reference}`);
    },
    remove: async () => [],
  };
}

/** A node in no swarm: init refused as unimplemented, everything else answers as docker does outside a swarm. */
export function noSwarm(): SwarmSource {
  const notManager = () => {
    throw new ShoalError("unavailable", NOT_A_MANAGER_MESSAGE);
  };
  return {
    info: () => ({ NodeID: "", NodeAddr: "", LocalNodeState: "inactive", ControlAvailable: false, Error: "", RemoteManagers: null }),
    init: async () => {
      throw new ShoalError("unimplemented", "no swarm in this test");
    },
    join: async () => {
      throw new ShoalError("unimplemented", "no swarm in this test");
    },
    inspect: notManager,
    leave: async () => {
      throw new ShoalError("unavailable", NOT_IN_SWARM_MESSAGE);
    },
    nodes: notManager,
    node: notManager,
    updateNode: async () => notManager(),
    removeNode: async () => notManager(),
    update: async () => notManager(),
    services: notManager,
    service: notManager,
    createService: async () => notManager(),
    updateService: async () => notManager(),
    removeService: async () => notManager(),
    tasks: notManager,
    task: notManager,
    unlockKey: notManager,
    unlock: async () => notManager(),
    serviceLogs: notManager,
    secrets: notManager,
    secret: notManager,
    createSecret: async () => notManager(),
    updateSecret: async () => notManager(),
    removeSecret: async () => notManager(),
    configs: notManager,
    config: notManager,
    createConfig: async () => notManager(),
    updateConfig: async () => notManager(),
    removeConfig: async () => notManager(),
  };
}

/** An engine without containers, volumes, events or swarm, for API tests about other routes. */
export function emptyEngine(): Pick<ApiDeps, "containers" | "volumes" | "networks" | "events" | "swarm"> {
  const none = (what: string) => () => {
    throw new ShoalError("not_found", `No such ${what}`);
  };
  const containers = {
    create: async () => none("image")(),
    get: none("container"),
    dir: none("container"),
    list: () => [],
    start: async () => none("container")(),
    stop: async () => none("container")(),
    kill: async () => none("container")(),
    restart: async () => none("container")(),
    wait: async () => none("container")(),
    remove: async () => none("container")(),
    logs: () => none("container")(),
    connectNetwork: async () => none("container")(),
    pause: async () => none("container")(),
    rename: async () => none("container")(),
    prune: async () => [],
    disconnectNetwork: async () => none("container")(),
    execs: { create: none("container"), get: none("exec instance"), start: none("exec instance"), resize: none("exec instance") },
  } as unknown as ApiDeps["containers"];
  return {
    containers,
    volumes: { create: async () => none("volume")(), get: none("volume"), list: () => [], remove: async () => none("volume")(), prune: async () => ({ VolumesDeleted: [], SpaceReclaimed: 0 }) },
    networks: { list: () => [], get: none("network"), create: () => none("network driver")(), remove: none("network") },
    events: { since: () => [], subscribe: () => () => {} },
    swarm: noSwarm(),
  };
}
