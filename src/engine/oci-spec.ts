import { ShoalError } from "../lib/index.ts";

/** The image config fields a container inherits (Engine API names). */
export interface ImageConfigFields {
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  WorkingDir?: string;
  User?: string;
  StopSignal?: string;
}

/** What a container asks for beyond its image. */
export interface ContainerOptions {
  hostname: string;
  rootfs: string;
  /** Replaces the image's Cmd (and keeps its Entrypoint). */
  cmd?: string[];
  /** Replaces the image's Entrypoint (and drops its Cmd unless `cmd` is given). */
  entrypoint?: string[];
  env?: string[];
  user?: string;
  workingDir?: string;
  readOnlyRootfs?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  sysctls?: Record<string, string>;
  ulimits?: { name: string; soft: number; hard: number }[];
  /** A network namespace to join (`/run/netns/…`); none: a new, empty one. */
  netnsPath?: string;
  cgroupsPath: string;
  resources?: { memoryBytes?: number; nanoCpus?: number; cpuShares?: number; cpusetCpus?: string; pidsLimit?: number };
  mounts?: { source: string; destination: string; type: "bind" | "tmpfs"; readOnly?: boolean; options?: string[] }[];
}

/** How users and groups of the image resolve (its /etc/passwd and /etc/group). */
export interface ImageAccounts {
  passwd: string | null;
  group: string | null;
}

/** The host's hard limits, which no container rlimit may exceed. */
export type HostHardLimits = Partial<Record<string, number>>;

/** Docker's default capability set. */
export const DEFAULT_CAPABILITIES = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
  "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];

const MASKED_PATHS = ["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"];
const READONLY_PATHS = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];
const DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** The command a container runs: docker's Entrypoint/Cmd rules. */
export function containerArgs(image: ImageConfigFields, options: Pick<ContainerOptions, "cmd" | "entrypoint">): string[] {
  const entrypoint = options.entrypoint ?? image.Entrypoint ?? [];
  const cmd = options.cmd ?? (options.entrypoint ? [] : (image.Cmd ?? []));
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw new ShoalError("invalid_argument", "no command specified: the image has no Entrypoint or Cmd, give one");
  return args;
}

/** Image env overlaid with the container's (same name: the container's wins), with PATH and HOSTNAME. */
export function containerEnv(image: string[] = [], extra: string[] = [], hostname: string): string[] {
  const merged = new Map<string, string>();
  for (const entry of [...image, ...extra]) merged.set(entry.split("=")[0]!, entry);
  if (!merged.has("PATH")) merged.set("PATH", DEFAULT_PATH);
  merged.set("HOSTNAME", `HOSTNAME=${hostname}`);
  return [...merged.values()];
}

function lookup(table: string | null, name: string, field: number): number | null {
  for (const line of (table ?? "").split("\n")) {
    const parts = line.split(":");
    if (parts[0] === name && parts[field] !== undefined && /^\d+$/.test(parts[field]!)) return Number(parts[field]);
  }
  return null;
}

/** Resolves `user[:group]` (names or numbers) against the image's accounts, as docker does. */
export function resolveUser(spec: string | undefined, accounts: ImageAccounts): { uid: number; gid: number } {
  if (!spec) return { uid: 0, gid: 0 };
  const [user, group] = spec.split(":") as [string, string | undefined];
  const uid = /^\d+$/.test(user) ? Number(user) : lookup(accounts.passwd, user, 2);
  if (uid === null) throw new ShoalError("invalid_argument", `unable to find user ${user}: no matching entries in passwd file`);
  let gid: number | null;
  if (group === undefined) gid = /^\d+$/.test(user) ? (lookupByUid(accounts.passwd, uid) ?? 0) : lookup(accounts.passwd, user, 3);
  else gid = /^\d+$/.test(group) ? Number(group) : lookup(accounts.group, group, 2);
  if (gid === null) throw new ShoalError("invalid_argument", `unable to find group ${group}: no matching entries in group file`);
  return { uid, gid };
}

function lookupByUid(passwd: string | null, uid: number): number | null {
  for (const line of (passwd ?? "").split("\n")) {
    const parts = line.split(":");
    if (parts[2] === String(uid) && parts[3] && /^\d+$/.test(parts[3])) return Number(parts[3]);
  }
  return null;
}

function capabilities(add: string[] = [], drop: string[] = []): string[] {
  const normalize = (cap: string) => (cap.toUpperCase().startsWith("CAP_") ? cap.toUpperCase() : `CAP_${cap.toUpperCase()}`);
  if (drop.some((cap) => cap.toUpperCase() === "ALL")) return [...new Set(add.map(normalize))];
  const set = new Set(DEFAULT_CAPABILITIES);
  for (const cap of add) if (cap.toUpperCase() !== "ALL") set.add(normalize(cap));
  for (const cap of drop) set.delete(normalize(cap));
  return [...set];
}

/** rlimits for the container, clamped to the host's hard limits (runc fails on anything above them). */
export function containerRlimits(ulimits: ContainerOptions["ulimits"] = [], host: HostHardLimits): { type: string; soft: number; hard: number }[] {
  const wanted = new Map<string, { soft: number; hard: number }>([["nofile", { soft: 1048576, hard: 1048576 }]]);
  for (const limit of ulimits) wanted.set(limit.name, { soft: limit.soft, hard: limit.hard });
  return [...wanted].map(([name, limit]) => {
    const cap = host[name] ?? Number.POSITIVE_INFINITY;
    const hard = Math.min(limit.hard, cap);
    return { type: `RLIMIT_${name.toUpperCase()}`, soft: Math.min(limit.soft, hard), hard };
  });
}

/** The OCI runtime spec (config.json) for a container of an image, as runc reads it. */
export function buildOciSpec(image: ImageConfigFields, options: ContainerOptions, accounts: ImageAccounts, host: HostHardLimits): Record<string, unknown> {
  const { uid, gid } = resolveUser(options.user ?? image.User, accounts);
  const caps = capabilities(options.capAdd, options.capDrop);
  const resources = options.resources ?? {};
  const cpuPeriod = 100_000;
  return {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: { uid, gid },
      args: containerArgs(image, options),
      env: containerEnv(image.Env, options.env, options.hostname),
      cwd: options.workingDir || image.WorkingDir || "/",
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: containerRlimits(options.ulimits, host),
      noNewPrivileges: false,
    },
    root: { path: options.rootfs, readonly: options.readOnlyRootfs ?? false },
    hostname: options.hostname,
    mounts: [
      { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
      { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
      { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
      { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
      { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
      { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["nosuid", "noexec", "nodev", "relatime", "ro"] },
      ...(options.mounts ?? []).map((mount) =>
        mount.type === "tmpfs"
          ? { destination: mount.destination, type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", ...(mount.options ?? [])] }
          : { destination: mount.destination, type: "bind", source: mount.source, options: ["rbind", mount.readOnly ? "ro" : "rw", ...(mount.options ?? [])] },
      ),
    ],
    linux: {
      namespaces: [
        { type: "pid" },
        { type: "ipc" },
        { type: "uts" },
        { type: "mount" },
        options.netnsPath ? { type: "network", path: options.netnsPath } : { type: "network" },
      ],
      cgroupsPath: options.cgroupsPath,
      sysctl: options.sysctls ?? {},
      resources: {
        devices: [{ allow: false, access: "rwm" }],
        ...(resources.memoryBytes ? { memory: { limit: resources.memoryBytes } } : {}),
        ...(resources.nanoCpus || resources.cpuShares || resources.cpusetCpus
          ? {
              cpu: {
                ...(resources.nanoCpus ? { quota: Math.round((resources.nanoCpus / 1e9) * cpuPeriod), period: cpuPeriod } : {}),
                ...(resources.cpuShares ? { shares: resources.cpuShares } : {}),
                ...(resources.cpusetCpus ? { cpus: resources.cpusetCpus } : {}),
              },
            }
          : {}),
        ...(resources.pidsLimit ? { pids: { limit: resources.pidsLimit } } : {}),
      },
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
}

const LIMIT_NAMES: Record<string, string> = { "Max open files": "nofile", "Max processes": "nproc", "Max core file size": "core", "Max locked memory": "memlock", "Max stack size": "stack" };

/** The hard limits in a /proc/<pid>/limits text (a number, or no entry for "unlimited"). */
export function parseHardLimits(text: string): HostHardLimits {
  const limits: HostHardLimits = {};
  for (const line of text.split("\n")) {
    for (const [label, name] of Object.entries(LIMIT_NAMES)) {
      if (!line.startsWith(label)) continue;
      const hard = line.slice(label.length).trim().split(/\s+/)[1];
      if (hard && /^\d+$/.test(hard)) limits[name] = Number(hard);
    }
  }
  return limits;
}
