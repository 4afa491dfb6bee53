/**
 * Swarm figures: shoal beside Docker 20.10's swarm mode (Debian's docker.io, dockerd + containerd)
 * in the same run, each on four namespace hosts of its own (3 managers + 1 worker; shoal: cluster
 * tag bsw, 10.99.51.0/24; docker: bdk, 10.99.52.0/24), each driven through its own CLI:
 *   `swarm init --advertise-addr` on a daemon in no swarm (leaving between runs); two managers
 *   joining with the manager token until `node ls` shows them Reachable; a worker joining until it
 *   is Ready; kill -9 of the worker's daemon until `node ls` shows it Down; kill -9 of the leader's
 *   daemon until another manager's `node ls` shows a new leader and a write (`node update
 *   --label-add`) there succeeds, the killed daemon restarted between runs; and the managers'
 *   daemon RSS after 10 s idle. The engines take turns run by run so they see the same machine load.
 * Everything is removed at the end, also on failure or ^C.
 * Usage: bun scripts/bench/swarm.ts [--quick] [--no-docker | --no-shoal] [path/to/shoal]
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { median } from "./stats.ts";
import type { SwarmCluster } from "./swarm-cluster.ts";
import { dockerMissing, startDockerCluster } from "./swarm-docker.ts";
import { startShoalCluster } from "./swarm-shoal.ts";
import { form, idleRss, leaderDeath, leaveAll, timeInit, workerDeath } from "./swarm-workloads.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const withShoal = !args.includes("--no-shoal");
const withDocker = !args.includes("--no-docker");
const binary = resolve(args.find((arg) => !arg.startsWith("--")) ?? process.env.SHOAL_BINARY ?? join(import.meta.dir, "../../dist/shoal"));
const INITS = quick ? 2 : 5;
const FORMATIONS = quick ? 1 : 3;
const WORKER_DEATHS = quick ? 1 : 3;
const LEADER_DEATHS = quick ? 2 : 5;
const IDLE_MS = 10_000;
const HOSTNAMES = ["manager1", "manager2", "manager3", "worker1"];

// ---- cleanup: a stack of steps, run once, at the end or on a signal ---------------------------
const cleanups: (() => Promise<void>)[] = [];
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const step of cleanups.reverse()) {
    try {
      await step();
    } catch (error) {
      console.error(`cleanup: ${message(error)}`);
    }
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`swarm bench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

// ---- the run ---------------------------------------------------------------------------------
interface Figures {
  init: number[];
  managerJoinReturn: number[];
  managersJoined: number[];
  workerJoined: number[];
  workerDown: number[];
  newLeaderSeen: number[];
  writeServed: number[];
  /** Per manager: RSS (MiB) by process name. */
  rss: Record<string, number>[];
}
const clusters: SwarmCluster[] = [];
const figures = new Map<string, Figures>();
const broken = new Set<SwarmCluster>();
const skipped: string[] = [];
const problems: string[] = [];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const note = (cluster: SwarmCluster, text: string) => console.error(`  ${cluster.name}: ${text}`);

/** Runs one step on each working cluster in turn; a failure is noted and takes that cluster out of the later steps. */
async function each(what: string, work: (cluster: SwarmCluster, figures: Figures) => Promise<void>): Promise<void> {
  for (const cluster of clusters) {
    if (broken.has(cluster)) continue;
    try {
      await work(cluster, figures.get(cluster.name)!);
    } catch (error) {
      broken.add(cluster);
      problems.push(`${cluster.name}: ${what} failed (later steps skipped): ${message(error)}`);
    }
  }
}

try {
  if (withShoal) {
    if (!existsSync(binary)) throw new Error(`no shoal binary at ${binary} (make build makes dist/shoal)`);
    process.env.SHOAL_BINARY = binary;
    const shoal = await startShoalCluster({ cluster: "bsw", subnet: 51, hostnames: HOSTNAMES });
    cleanups.push(() => shoal.teardown());
    clusters.push(shoal);
  }
  if (withDocker) {
    const missing = dockerMissing();
    if (missing) skipped.push(`docker: ${missing}`);
    else {
      try {
        const docker = await startDockerCluster({ cluster: "bdk", subnet: 52, hostnames: HOSTNAMES });
        cleanups.push(() => docker.teardown());
        clusters.push(docker);
      } catch (error) {
        skipped.push(`docker: cannot start dockerd on namespace hosts: ${message(error)}`);
      }
    }
  }
  for (const cluster of clusters) figures.set(cluster.name, { init: [], managerJoinReturn: [], managersJoined: [], workerJoined: [], workerDown: [], newLeaderSeen: [], writeServed: [], rss: [] });

  for (let run = 1; run <= INITS; run++) {
    await each("swarm init", async (cluster, record) => {
      await leaveAll(cluster);
      record.init.push(await timeInit(cluster.hosts[0]!));
      note(cluster, `init ${run}: ${seconds(record.init.at(-1)!)}`);
    });
  }
  for (let run = 1; run <= FORMATIONS; run++) {
    await each("joins", async (cluster, record) => {
      await leaveAll(cluster);
      const formation = await form(cluster);
      record.managerJoinReturn.push(...formation.managerJoinReturns);
      record.managersJoined.push(formation.managersJoined);
      record.workerJoined.push(formation.workerJoined);
      note(cluster, `joins ${run}: managers ${formation.managerJoinReturns.map(seconds).join(", ")} returned, all Reachable ${seconds(formation.managersJoined)}; worker Ready ${seconds(formation.workerJoined)}`);
    });
  }
  await each("idle RSS", async (cluster, record) => {
    record.rss = await idleRss(cluster, IDLE_MS);
    note(cluster, `idle RSS of the managers: ${record.rss.map((parts) => Object.entries(parts).map(([name, mib]) => `${name} ${mib.toFixed(1)}`).join(" + ")).join("; ")} MiB`);
  });
  for (let run = 1; run <= WORKER_DEATHS; run++) {
    await each("worker death", async (cluster, record) => {
      record.workerDown.push(await workerDeath(cluster));
      note(cluster, `worker killed ${run}: Down after ${seconds(record.workerDown.at(-1)!)}`);
    });
  }
  for (let run = 1; run <= LEADER_DEATHS; run++) {
    await each("leader death", async (cluster, record) => {
      const failover = await leaderDeath(cluster, run);
      record.newLeaderSeen.push(failover.newLeaderSeen);
      record.writeServed.push(failover.writeServed);
      note(cluster, `leader ${failover.oldLeader} killed ${run}: ${failover.newLeader} leads after ${seconds(failover.newLeaderSeen)}, write served after ${seconds(failover.writeServed)}`);
    });
  }
} catch (error) {
  process.exitCode = 1;
  console.error(`swarm bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanup();
}

// ---- the table -------------------------------------------------------------------------------
const shoalName = "shoal";
const dockerName = clusters.find((cluster) => cluster.name.startsWith("docker"))?.name ?? "docker";
const values = (name: string, key: keyof Figures): number[] => {
  const entry = figures.get(name);
  if (!entry) return [];
  if (key !== "rss") return entry[key];
  return entry.rss.map((parts) => Object.values(parts).reduce((sum, mib) => sum + mib, 0));
};
const rssPart = (name: string, part: string) => (figures.get(name)?.rss ?? []).map((parts) => parts[part]).filter((mib): mib is number => mib !== undefined);
const cell = (list: number[], scale: number, digits: number) => {
  if (list.length === 0 || list.some((value) => !Number.isFinite(value))) return "n/a";
  const text = (median(list) / scale).toFixed(digits);
  return list.length === 1 ? text : `${text} (${(Math.min(...list) / scale).toFixed(digits)}–${(Math.max(...list) / scale).toFixed(digits)})`;
};
const ratio = (a: number[], b: number[]) => (a.length === 0 || b.length === 0 || median(b) === 0 ? "n/a" : `${(median(a) / median(b)).toFixed(2)}×`);
type Goal = { text: string; met: (ours: number, docker: number | undefined) => boolean | undefined };
const halfOfDocker: Goal = { text: "≤ ½ docker", met: (ours, docker) => (docker === undefined ? undefined : ours <= docker / 2) };
const atMost = (ms: number): Goal => ({ text: `≤ ${ms / 1000} s`, met: (ours) => ours <= ms });
const rows: { label: string; shoal: number[]; docker: number[]; scale: number; digits: number; goal?: Goal; dockerOnly?: true }[] = [
  { label: `swarm init returns, median of ${INITS} (s)`, shoal: values(shoalName, "init"), docker: values(dockerName, "init"), scale: 1000, digits: 2, goal: halfOfDocker },
  { label: `2 managers join → all Reachable, median of ${FORMATIONS} (s)`, shoal: values(shoalName, "managersJoined"), docker: values(dockerName, "managersJoined"), scale: 1000, digits: 2, goal: halfOfDocker },
  { label: "  one manager's `swarm join` returns (s)", shoal: values(shoalName, "managerJoinReturn"), docker: values(dockerName, "managerJoinReturn"), scale: 1000, digits: 2 },
  { label: `worker join → Ready, median of ${FORMATIONS} (s)`, shoal: values(shoalName, "workerJoined"), docker: values(dockerName, "workerJoined"), scale: 1000, digits: 2, goal: halfOfDocker },
  { label: `worker kill -9 → Down, median of ${WORKER_DEATHS} (s)`, shoal: values(shoalName, "workerDown"), docker: values(dockerName, "workerDown"), scale: 1000, digits: 2, goal: atMost(5000) },
  { label: `leader kill -9 → new Leader in node ls, median of ${LEADER_DEATHS} (s)`, shoal: values(shoalName, "newLeaderSeen"), docker: values(dockerName, "newLeaderSeen"), scale: 1000, digits: 2 },
  { label: `leader kill -9 → write served, median of ${LEADER_DEATHS} (s)`, shoal: values(shoalName, "writeServed"), docker: values(dockerName, "writeServed"), scale: 1000, digits: 2, goal: atMost(2000) },
  {
    label: "manager idle RSS, median of 3 managers (MiB)",
    shoal: values(shoalName, "rss"),
    docker: values(dockerName, "rss"),
    scale: 1,
    digits: 1,
    goal: { text: "≤ dockerd + containerd", met: (ours, docker) => (docker === undefined ? undefined : ours <= docker) },
  },
  { label: "  of which dockerd", shoal: [], docker: rssPart(dockerName, "dockerd"), scale: 1, digits: 1, dockerOnly: true },
  { label: "  of which containerd", shoal: [], docker: rssPart(dockerName, "containerd"), scale: 1, digits: 1, dockerOnly: true },
];
console.log(`# swarm: shoal vs ${dockerName} (dockerd + containerd), 3 managers + 1 worker on namespace hosts each, same run; median (min–max)`);
console.log(`${"metric".padEnd(58)} ${"shoal".padStart(19)} ${"docker".padStart(19)} ${"s/docker".padStart(9)}   goal`);
for (const row of rows) {
  const ours = row.shoal.length > 0 ? median(row.shoal) : undefined;
  const theirs = row.docker.length > 0 ? median(row.docker) : undefined;
  const met = row.goal && ours !== undefined && Number.isFinite(ours) ? row.goal.met(ours, theirs !== undefined && Number.isFinite(theirs) ? theirs : undefined) : undefined;
  const goal = row.goal ? `${row.goal.text} — met: ${met === undefined ? "n/a" : met ? "yes" : "no"}` : "";
  const shoalCell = row.dockerOnly ? "" : cell(row.shoal, row.scale, row.digits);
  const ratioCell = row.dockerOnly ? "" : ratio(row.shoal, row.docker);
  console.log(`${row.label.padEnd(58)} ${shoalCell.padStart(19)} ${cell(row.docker, row.scale, row.digits).padStart(19)} ${ratioCell.padStart(9)}   ${goal}`.trimEnd());
}
console.log("(each engine's own CLI, times include its start-up; polls every 100 ms; the research anchor on this machine for docker 20.10: init 0.95 s, 3 managers joined 3.7 s, worker killed → Down 12.0 s, leader killed → new leader 11.5 s, dockerd 99 MB + containerd 38 MB idle)");
for (const reason of skipped) console.log(`skipped ${reason}`);
for (const problem of problems) console.log(`problem: ${problem}`);
if (problems.length > 0) process.exitCode = 1;
process.exit(process.exitCode ?? 0);
