/**
 * The processes of one engine on one namespace host, as the services benchmark sees them: everything
 * in the host's network namespace (the daemons, their monitors, CLI calls) and every descendant of
 * those (the containers, which run in namespaces of their own). Sorted into
 *   daemons:  `shoal daemon`; dockerd and its containerd
 *   monitors: conmon; containerd-shim(-runc-v2)
 *   the rest: container processes, short-lived helpers (runc, hooks) and CLI calls.
 * Engine-agnostic: both engines are read the same way, from /proc.
 */
import { readdirSync, readFileSync, readlinkSync, rmdirSync, statSync } from "node:fs";

const CLOCK_TICKS = 100;

/** One process as read from /proc. */
interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  argv: string[];
  /** Start time in clock ticks after boot: with the pid, names one process (pids are reused). */
  start: number;
  /** utime + stime + cutime + cstime in clock ticks: its own CPU and that of the children it reaped (runc, hooks). */
  cpuTicks: number;
  /** `net:[inode]` */
  netns: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
    // Fields after the comm: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17) … starttime(22).
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const field = (n: number) => Number(fields[n - 3]);
    if (fields[0] === "Z") return undefined;
    return {
      pid,
      ppid: field(4),
      comm,
      argv: readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean),
      start: field(22),
      cpuTicks: field(14) + field(15) + field(16) + field(17),
      netns: readlinkSync(`/proc/${pid}/ns/net`),
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

function allProcesses(): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const info = readProcess(Number(entry));
    if (info) found.push(info);
  }
  return found;
}

/** What a process is to the benchmark. */
export type ProcessRole = "daemon" | "monitor" | "other";

/** daemon: `shoal daemon`, dockerd, containerd; monitor: conmon, containerd-shim*; other: the rest. */
export function roleOf(comm: string, argv: string[]): ProcessRole {
  if (comm === "dockerd" || comm === "containerd") return "daemon";
  if (comm === "shoal" && argv[1] === "daemon") return "daemon";
  if (comm === "conmon" || comm.startsWith("containerd-shim")) return "monitor";
  return "other";
}

/** One host's processes at one moment. */
export interface HostProcesses {
  daemons: ProcessInfo[];
  monitors: ProcessInfo[];
  /** Everything in the tree: daemons, monitors, containers, helpers. */
  all: ProcessInfo[];
}

/** The processes in network namespace `netns` (a name under /run/netns) and all their descendants. */
export function hostProcesses(netns: string): HostProcesses {
  const inode = statSync(`/run/netns/${netns}`).ino;
  const processes = allProcesses();
  const children = new Map<number, ProcessInfo[]>();
  for (const info of processes) children.set(info.ppid, [...(children.get(info.ppid) ?? []), info]);
  const tree = new Map<number, ProcessInfo>();
  const visit = (info: ProcessInfo) => {
    if (tree.has(info.pid)) return;
    tree.set(info.pid, info);
    for (const child of children.get(info.pid) ?? []) visit(child);
  };
  for (const info of processes) if (info.netns === `net:[${inode}]`) visit(info);
  const all = [...tree.values()];
  return {
    daemons: all.filter((info) => roleOf(info.comm, info.argv) === "daemon"),
    monitors: all.filter((info) => roleOf(info.comm, info.argv) === "monitor"),
    all,
  };
}

/** CPU ticks of the daemons and monitors of some hosts, by process, to subtract from later. */
export type CpuSnapshot = Map<string, { role: ProcessRole; ticks: number }>;
const processKey = (info: ProcessInfo) => `${info.pid}@${info.start}`;

/** The daemons' and monitors' CPU on the hosts of `netnses`, now. */
export function cpuSnapshot(netnses: string[]): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  for (const netns of netnses) {
    const { daemons, monitors } = hostProcesses(netns);
    for (const info of daemons) snapshot.set(processKey(info), { role: "daemon", ticks: info.cpuTicks });
    for (const info of monitors) snapshot.set(processKey(info), { role: "monitor", ticks: info.cpuTicks });
  }
  return snapshot;
}

/**
 * CPU-seconds the daemons and monitors of those hosts used since `before` (processes started since
 * count whole; helpers they reaped, such as runc and prestart hooks, are included through cutime/cstime).
 */
export function cpuSecondsSince(before: CpuSnapshot, netnses: string[]): { total: number; daemons: number; monitors: number } {
  const ticks = { daemon: 0, monitor: 0, other: 0 };
  for (const [key, now] of cpuSnapshot(netnses)) ticks[now.role] += now.ticks - (before.get(key)?.ticks ?? 0);
  return { total: (ticks.daemon + ticks.monitor) / CLOCK_TICKS, daemons: ticks.daemon / CLOCK_TICKS, monitors: ticks.monitor / CLOCK_TICKS };
}

/** RSS in MiB of process `pid` (0 when it is gone). */
function rssMiB(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** RSS (MiB) of the daemons and of the monitors on the hosts of `netnses`, and how many monitors there are. */
export function memory(netnses: string[]): { daemonMiB: number; monitorMiB: number; monitors: number } {
  let daemonMiB = 0;
  let monitorMiB = 0;
  let monitors = 0;
  for (const netns of netnses) {
    const processes = hostProcesses(netns);
    for (const info of processes.daemons) daemonMiB += rssMiB(info.pid);
    for (const info of processes.monitors) monitorMiB += rssMiB(info.pid);
    monitors += processes.monitors.length;
  }
  return { daemonMiB, monitorMiB, monitors };
}

/** Container cgroups (per controller, as /sys/fs/cgroup paths) of the processes below a host's monitors. */
function containerCgroups(processes: HostProcesses): string[] {
  const monitorPids = new Set(processes.monitors.map((info) => info.pid));
  const byPid = new Map(processes.all.map((info) => [info.pid, info]));
  const belowMonitor = (info: ProcessInfo): boolean => {
    for (let parent = byPid.get(info.ppid); parent; parent = byPid.get(parent.ppid)) if (monitorPids.has(parent.pid)) return true;
    return false;
  };
  const paths = new Set<string>();
  for (const info of processes.all) {
    if (!belowMonitor(info)) continue;
    try {
      for (const line of readFileSync(`/proc/${info.pid}/cgroup`, "utf8").split("\n")) {
        const [, controllers = "", path = ""] = line.split(":");
        if (path === "/" || path === "") continue;
        for (const controller of controllers === "" ? ["unified"] : controllers.split(",")) {
          paths.add(`/sys/fs/cgroup/${controller.replace(/^name=/, "")}${path}`);
        }
      }
    } catch {
      // gone meanwhile
    }
  }
  return [...paths];
}

/**
 * kill -9 of everything of the engine on one host, as a crashed machine would lose it: the daemons,
 * the monitors and the containers (anything started meanwhile is caught by a second pass). Returns
 * the containers' cgroups, which nobody will remove unless the engine restarts and cleans up.
 */
export async function killEverything(netns: string): Promise<string[]> {
  const cgroups = new Set<string>();
  for (let pass = 0; pass < 5; pass++) {
    const processes = hostProcesses(netns);
    if (processes.all.length === 0) break;
    for (const path of containerCgroups(processes)) cgroups.add(path);
    for (const info of processes.all) {
      try {
        process.kill(info.pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    const deadline = Date.now() + 5000;
    while (processes.all.some((info) => readProcess(info.pid)?.start === info.start) && Date.now() < deadline) await Bun.sleep(10);
  }
  return [...cgroups];
}

/** Removes those cgroups that are still there and empty (deepest first); in-use ones are left alone. */
export function removeEmptyCgroups(paths: Iterable<string>): void {
  for (const path of [...paths].sort((a, b) => b.length - a.length)) {
    try {
      rmdirSync(path);
    } catch {
      // gone already, or in use again
    }
  }
}
