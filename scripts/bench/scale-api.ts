/** The scale benchmark's calls to a manager's Engine API (its unix socket) and its process figures from /proc. */
import { readFileSync } from "node:fs";

const API = "http://localhost/v1.41";
const CLOCK_TICKS = 100;

/** Calls the Engine API on `socket`; the parsed JSON answer, or an error with the daemon's message. */
export async function api<T>(socket: string, method: string, path: string, body?: unknown, timeoutMs = 60_000): Promise<T> {
  const response = await fetch(`${API}${path}`, {
    method,
    unix: socket,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(timeoutMs),
  } as RequestInit);
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.trim()}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A service of `replicas` replicas of a task the simulated nodes pretend to run. */
export function serviceSpec(name: string, replicas: number): object {
  return {
    Name: name,
    TaskTemplate: { ContainerSpec: { Image: "bench/sim:1", Args: ["sleep", "infinity"] } },
    Mode: { Replicated: { Replicas: replicas } },
  };
}

/** The nodes' states as the manager on `socket` sees them: how many are ready, and the leader's hostname. */
export async function nodeCensus(socket: string): Promise<{ ready: number; total: number; leader: string }> {
  const nodes = await api<{ Description: { Hostname: string }; Status: { State: string }; ManagerStatus?: { Leader?: boolean } }[]>(socket, "GET", "/nodes");
  return {
    ready: nodes.filter((node) => node.Status.State === "ready").length,
    total: nodes.length,
    leader: nodes.find((node) => node.ManagerStatus?.Leader)?.Description.Hostname ?? "",
  };
}

/** Running and desired tasks summed over every service, as the manager on `socket` counts them (`status=true`). */
export async function serviceCounts(socket: string): Promise<{ running: number; desired: number }> {
  const services = await api<{ ServiceStatus?: { RunningTasks: number; DesiredTasks: number } }[]>(socket, "GET", "/services?status=true");
  let running = 0;
  let desired = 0;
  for (const service of services) {
    running += service.ServiceStatus?.RunningTasks ?? 0;
    desired += service.ServiceStatus?.DesiredTasks ?? 0;
  }
  return { running, desired };
}

/** A process's figures so far: resident set now and at its peak (MiB), CPU-seconds, and its write(2)s (calls and MiB: files and pipes; socket sends are not counted by /proc/PID/io). */
export interface ProcessFigures {
  rssMiB: number;
  peakMiB: number;
  cpuSeconds: number;
  writeCalls: number;
  writtenMiB: number;
}

/** {@link ProcessFigures} of `pid` from /proc (NaN when it is gone). */
export function processFigures(pid: number): ProcessFigures {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime(14) and stime(15), counted from the state field (3).
    const ticks = Number(fields[14 - 3]) + Number(fields[15 - 3]);
    const io = readFileSync(`/proc/${pid}/io`, "utf8");
    const ioField = (field: string) => Number(new RegExp(`^${field}: (\\d+)$`, "m").exec(io)?.[1] ?? Number.NaN);
    return { rssMiB: kib("VmRSS") / 1024, peakMiB: kib("VmHWM") / 1024, cpuSeconds: ticks / CLOCK_TICKS, writeCalls: ioField("syscw"), writtenMiB: ioField("wchar") / 2 ** 20 };
  } catch {
    return { rssMiB: Number.NaN, peakMiB: Number.NaN, cpuSeconds: Number.NaN, writeCalls: Number.NaN, writtenMiB: Number.NaN };
  }
}
