/** The services benchmark's figures per engine and the table that sets shoal beside Docker with the goals. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { median } from "./stats.ts";

/** One engine's figures, one entry per run: times in ms, CPU in seconds, memory in MiB. */
export interface Figures {
  create: number[];
  createCpu: number[];
  remove: number[];
  monitorPerTask: number[];
  daemonPerTask: number[];
  scale: number[];
  scaleCpu: number[];
  updateRolledOut: number[];
  updateCompleted: number[];
  workerDown: number[];
  workerBack: number[];
  drainMoved: number[];
  drainEmptied: number[];
}

/** `/sys/fs/cgroup/<controller>/<name>` parents that exist now; `madeSince()` lists those that did not before. */
export function cgroupParentsMade(name: string): { madeSince(): string[] } {
  const present = () => {
    const base = "/sys/fs/cgroup";
    if (!existsSync(base)) return [];
    return [join(base, name), ...readdirSync(base).map((controller) => join(base, controller, name))].filter((path) => existsSync(path));
  };
  const before = new Set(present());
  return { madeSince: () => present().filter((path) => !before.has(path)) };
}

type Goal = { text: string; met: (ours: number, docker: number | undefined) => boolean | undefined };
const timesDocker = (factor: number): Goal => ({ text: `≤ ${factor}× docker`, met: (ours, docker) => (docker === undefined ? undefined : ours <= docker * factor) });
const atMost = (ms: number, why: string): Goal => ({ text: `≤ ${ms / 1000} s (${why})`, met: (ours) => ours <= ms });

interface Row {
  label: string;
  key: keyof Figures | "memoryPerTask";
  scale: number;
  digits: number;
  goal?: Goal;
}

/** Prints the table: median (min–max) per engine, shoal/docker, and the goal with whether it was met. */
export function printTable(figures: Map<string, Figures>, dockerName: string, runs: number): void {
  const values = (name: string, key: Row["key"]): number[] => {
    const entry = figures.get(name);
    if (!entry) return [];
    if (key === "memoryPerTask") return entry.monitorPerTask.map((monitor, index) => monitor + (entry.daemonPerTask[index] ?? Number.NaN));
    return entry[key];
  };
  const cell = (list: number[], scale: number, digits: number) => {
    if (list.length === 0 || list.some((value) => !Number.isFinite(value))) return "n/a";
    const text = (median(list) / scale).toFixed(digits);
    return list.length === 1 ? text : `${text} (${(Math.min(...list) / scale).toFixed(digits)}–${(Math.max(...list) / scale).toFixed(digits)})`;
  };
  const ratio = (a: number[], b: number[]) => (a.length === 0 || b.length === 0 || median(b) === 0 ? "n/a" : `${(median(a) / median(b)).toFixed(2)}×`);
  const rows: Row[] = [
    { label: "create 100 replicas → 100/100 (s)", key: "create", scale: 1000, digits: 1, goal: timesDocker(0.25) },
    { label: "  CPU of daemons + monitors meanwhile (s)", key: "createCpu", scale: 1, digits: 1, goal: timesDocker(0.25) },
    { label: "  service rm → no container runs (s)", key: "remove", scale: 1000, digits: 1 },
    { label: "scale 10 → 100 → 100/100 (s)", key: "scale", scale: 1000, digits: 1, goal: timesDocker(0.25) },
    { label: "  CPU of daemons + monitors meanwhile (s)", key: "scaleCpu", scale: 1, digits: 1, goal: timesDocker(0.25) },
    { label: "rolling update 20 by 5, delay 0 → 20/20 updated (s)", key: "updateRolledOut", scale: 1000, digits: 2, goal: atMost(4000, "4 batches × 1 s") },
    { label: "  → UpdateStatus completed (s)", key: "updateCompleted", scale: 1000, digits: 2, goal: atMost(9000, "+ 5 s monitor") },
    { label: "worker kill -9 (all its processes) → Down (s)", key: "workerDown", scale: 1000, digits: 2 },
    { label: "worker kill -9 → 30/30 on the other nodes (s)", key: "workerBack", scale: 1000, digits: 2, goal: timesDocker(0.35) },
    { label: "drain a worker → its 30-replica share elsewhere (s)", key: "drainMoved", scale: 1000, digits: 2, goal: atMost(1000, "1 batch × 1 s") },
    { label: "  → no container left on the drained node (s)", key: "drainEmptied", scale: 1000, digits: 2 },
    { label: "memory per task, 100 running (MiB)", key: "memoryPerTask", scale: 1, digits: 2, goal: timesDocker(0.25) },
    { label: "  of which monitor RSS (conmon / containerd-shim)", key: "monitorPerTask", scale: 1, digits: 2 },
    { label: "  of which daemons' RSS growth (3 hosts)", key: "daemonPerTask", scale: 1, digits: 2 },
  ];
  console.log(`# services: shoal vs ${dockerName} swarm mode, manager1 + 2 workers on namespace hosts each, same run, ${runs === 1 ? "1 run" : `median (min–max) of ${runs} runs`}`);
  console.log(`${"metric".padEnd(52)} ${"shoal".padStart(19)} ${"docker".padStart(19)} ${"s/docker".padStart(9)}   goal`);
  for (const row of rows) {
    const ours = values("shoal", row.key);
    const theirs = values(dockerName, row.key);
    const oursMedian = ours.length > 0 && ours.every(Number.isFinite) ? median(ours) : undefined;
    const theirsMedian = theirs.length > 0 && theirs.every(Number.isFinite) ? median(theirs) : undefined;
    const met = row.goal && oursMedian !== undefined ? row.goal.met(oursMedian, theirsMedian) : undefined;
    const goal = row.goal ? `${row.goal.text} — met: ${met === undefined ? "n/a" : met ? "yes" : "no"}` : "";
    console.log(`${row.label.padEnd(52)} ${cell(ours, row.scale, row.digits).padStart(19)} ${cell(theirs, row.scale, row.digits).padStart(19)} ${ratio(ours, theirs).padStart(9)}   ${goal}`.trimEnd());
  }
  console.log(
    "(each engine's own CLI; every task `--init busybox sleep 100000`, which stops at once on SIGTERM, so no stop spends the 10 s grace period and the update and drain goals are 1 s per batch (UpdateStatus completes after SwarmKit's 5 s --update-monitor more, watched once after the last batch);" +
      " polls every 250 ms for create/scale, 100 ms otherwise; CPU is utime+stime of the daemons and monitors of all 3 hosts, with the children they reaped;" +
      " the research anchor on this machine for docker 20.10 with a `sleep` that waits out the 10 s grace: 100 replicas on one node 57–91 s and ~0.1 CPU-s per task, scale 10→100 64 s," +
      " rolling update of 20 by 5 64 s, worker killed → 30/30 again 23 s, drain 19.8 s, 13.4 MB per containerd-shim)",
  );
}
