/**
 * Scale simulation: many simulated nodes against three real managers.
 *   - three `shoal daemon`s on namespace hosts (cluster tag bsim, 10.99.131.0/24) form a swarm of
 *     three managers, drained (they run no tasks);
 *   - `--nodes` simulated nodes in `--processes` processes (scale-agents.ts) join through the real
 *     join protocol (worker token, CA pinning, a certificate each) and keep real sessions; their
 *     executor pretends (a task runs the moment it is assigned, scale-executor.ts);
 *   - `--services` services with `--tasks` replicas in all are created through the API, and the run
 *     measures until every task is running: when tasks reach their nodes (placed: the scheduler's
 *     decision committed through raft and sent by the dispatcher), when the managers count them
 *     running (converged: the agents' reports committed, as a follower's API counts them), the
 *     leader's CPU-seconds, and the managers' RSS before and after.
 * Compared with published figures (scale-anchors in the note): Docker 1.12 swarm mode, Nomad C1M/C2M.
 * Usage: bun scripts/bench/scale.ts [--nodes 1000] [--tasks 100000] [--services 10] [--processes 4]
 *        [--join-concurrency 8] [--timeout-s 480] [--cpu-prof DIR] [path/to/shoal]
 *   --cpu-prof DIR: the managers run from source under `bun --cpu-prof` (and the node processes too);
 *   profiles (.cpuprofile and .md) are written to DIR when they stop.
 *   --quick: 100 nodes, 5,000 tasks, 2 processes (what `--nodes 100 --tasks 5000 --processes 2` gives)
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createTestHosts, type TestHost, type TestHosts } from "../../test/support/hosts.ts";
import { api, nodeCensus, processFigures, serviceCounts, serviceSpec } from "./scale-api.ts";
import { printComparison, type ScaleFigures } from "./scale-report.ts";
import { formatProfile, summarizeProfile } from "./scale-profile.ts";
import { startSimProcesses, type SimProcesses } from "./scale-processes.ts";
import { report } from "./stats.ts";

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const quick = args.includes("--quick");
const NODES = flag("nodes", quick ? 100 : 1000);
const TASKS = flag("tasks", quick ? 5000 : 100_000);
const SERVICES = flag("services", 10);
const PROCESSES = flag("processes", quick ? 2 : 4);
const JOIN_CONCURRENCY = flag("join-concurrency", 8);
const TIMEOUT_MS = flag("timeout-s", 480) * 1000;
/** Flags followed by a value (the one word that is neither a flag nor a value is the binary). */
const VALUED = new Set(["--nodes", "--tasks", "--services", "--processes", "--join-concurrency", "--timeout-s", "--cpu-prof"]);
const positional = args.find((arg, index) => !arg.startsWith("--") && !VALUED.has(args[index - 1] ?? ""));
const binary = resolve(positional ?? process.env.SHOAL_BINARY ?? join(import.meta.dir, "../../dist/shoal"));
const cpuProfileAt = args.indexOf("--cpu-prof");
const CPU_PROFILE_DIR = cpuProfileAt >= 0 ? resolve(args[cpuProfileAt + 1] ?? "") : null;
const CLUSTER = "bsim";
const SUBNET = 131;
/** Polls wait at least this long; those of the follower's service counts (which walk every task) also {@link POLL_DUTY} times what the last one took, up to {@link MAX_POLL_MS}. */
const POLL_MS = 500;
const POLL_DUTY = 10;
const MAX_POLL_MS = 5000;
/** Where the managers' logs are kept after the run (the hosts' directories are removed). */
const LOG_DIR = `/tmp/shoal-${CLUSTER}-logs`;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const say = (text: string) => console.error(`  scale: ${text}`);

// ---- cleanup: a stack of steps, run once, at the end or on a signal ---------------------------
const cleanups: (() => Promise<void> | void)[] = [];
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const step of cleanups.reverse()) {
    try {
      await step();
    } catch (error) {
      console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`scale bench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function cli(host: TestHost, command: string[], timeoutMs = 60_000): Promise<string> {
  const result = await host.shoal(command, { timeoutMs });
  if (result.exitCode !== 0) throw new Error(`shoal ${command.join(" ")} on ${host.hostname} failed (${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout.trim();
}

async function pollUntil<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, intervalMs = POLL_MS): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch {
      // not yet
    }
    if (performance.now() > deadline) throw new Error(`${what}: not within ${seconds(timeoutMs)} (last seen: ${JSON.stringify(last)})`);
    await Bun.sleep(intervalMs);
  }
}

/** Three managers: manager1 inits, the others join with the manager token; all drained; resolves with the leader. */
async function formManagers(hosts: TestHost[]): Promise<TestHost> {
  const [first, ...others] = hosts;
  await cli(first!, ["swarm", "init", "--advertise-addr", first!.address]);
  const managerToken = await cli(first!, ["swarm", "join-token", "-q", "manager"]);
  for (const host of others) await cli(host, ["swarm", "join", "--advertise-addr", host.address, "--token", managerToken, `${first!.address}:2377`]);
  for (const host of hosts) await cli(first!, ["node", "update", "--availability", "drain", host.hostname]);
  const census = await pollUntil("three managers ready", () => nodeCensus(first!.socket), (seen) => seen.ready === 3 && seen.leader !== "", 60_000);
  return hosts.find((host) => host.hostname === census.leader)!;
}

/** Milestones of a count rising to `total`: when it first reached 1, 10 %, 50 %, 90 % and all. */
class Milestones {
  readonly reached = new Map<string, number>();
  constructor(readonly total: number) {}
  note(count: number, at: number): void {
    const marks: [string, number][] = [["first", 1], ["10%", 0.1 * this.total], ["50%", 0.5 * this.total], ["90%", 0.9 * this.total], ["all", this.total]];
    for (const [name, threshold] of marks) if (count >= threshold && !this.reached.has(name)) this.reached.set(name, at);
  }
  at(name: string): number | undefined {
    return this.reached.get(name);
  }
}

let hosts: TestHosts | undefined;
let sims: SimProcesses | undefined;
/** The leader's process and the window from the first create to all running, for its CPU profile. */
let profileWindow: { pid: number; from: number; to: number } | undefined;
try {
  if (!existsSync(binary)) throw new Error(`no shoal binary at ${binary} (make build makes dist/shoal)`);
  process.env.SHOAL_BINARY = CPU_PROFILE_DIR ? profilingBinary(CPU_PROFILE_DIR, binary) : binary;
  console.log(`# scale simulation (${NODES} simulated nodes in ${PROCESSES} processes, 3 managers on namespace hosts, ${SERVICES} services × ${Math.round(TASKS / SERVICES)} replicas = ${TASKS} tasks)`);
  hosts = await createTestHosts({ cluster: CLUSTER, subnet: SUBNET, count: 3, hostnames: ["manager1", "manager2", "manager3"] });
  cleanups.push(() => hosts!.teardown());
  cleanups.push(() => keepDaemonLogs(hosts!.hosts));
  // A profiled daemon writes its profile when it exits: give it time to stop on its own first.
  if (CPU_PROFILE_DIR) cleanups.push(() => Promise.all(hosts!.hosts.map((host) => Promise.race([host.stopDaemon("SIGTERM"), Bun.sleep(120_000)]))).then(() => {}));
  const leader = await formManagers(hosts.hosts);
  const followers = hosts.hosts.filter((host) => host !== leader);
  say(`three managers, leader ${leader.hostname}`);

  // ---- the simulated nodes join ----------------------------------------------------------------
  const workerToken = await cli(leader, ["swarm", "join-token", "-q", "worker"]);
  const joinStarted = performance.now();
  sims = startSimProcesses({
    nodes: NODES,
    processes: PROCESSES,
    token: workerToken,
    managers: hosts.hosts.map((host) => `${host.address}:2377`),
    advertise: hosts.gateway,
    dir: join(`/tmp/shoal-${CLUSTER}`, "agents"),
    concurrency: JOIN_CONCURRENCY,
    ...(CPU_PROFILE_DIR ? { bunFlags: ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${CPU_PROFILE_DIR}`] } : {}),
  });
  cleanups.push(() => sims!.stop());
  const joined = await sims.joined(TIMEOUT_MS);
  const joinMs = performance.now() - joinStarted;
  say(`${joined.joined} nodes joined in ${seconds(joinMs)} (${joined.failed} failed)`);
  await pollUntil(`${NODES} simulated nodes ready`, () => nodeCensus(leader.socket), (seen) => seen.ready >= joined.joined + 3, 120_000, 1000);
  const readyMs = performance.now() - joinStarted;
  await Bun.sleep(2000); // let the join burst settle before the "before" figures

  // ---- services ---------------------------------------------------------------------------------
  const before = { leader: processFigures(leader.daemon!.pid), followers: followers.map((host) => processFigures(host.daemon!.pid)) };
  const simBefore = sims.totals();
  const placed = new Milestones(TASKS);
  const started = new Milestones(TASKS);
  const running = new Milestones(TASKS);
  sims.onProgress((totals) => {
    placed.note(totals.assigned, totals.at);
    started.note(totals.started, totals.at);
  });
  const t0 = Date.now();
  profileWindow = { pid: leader.daemon!.pid, from: t0, to: Number.POSITIVE_INFINITY };
  const perService = Math.floor(TASKS / SERVICES);
  for (let index = 0; index < SERVICES; index++) {
    const replicas = index === SERVICES - 1 ? TASKS - perService * (SERVICES - 1) : perService;
    await api(leader.socket, "POST", "/services/create", serviceSpec(`sim-${index}`, replicas));
  }
  const createdMs = Date.now() - t0;
  say(`${SERVICES} services created in ${seconds(createdMs)}`);
  const follower = followers[0]!;
  const deadline = Date.now() + TIMEOUT_MS;
  let counts = { running: 0, desired: TASKS };
  let lastSay = 0;
  // Counting walks every task: the polls keep to a small share of the follower's time.
  while (counts.running < TASKS && Date.now() < deadline) {
    const asked = performance.now();
    counts = await serviceCounts(follower.socket).catch(() => counts);
    running.note(counts.running, Date.now());
    if (Date.now() - lastSay > 5000) {
      lastSay = Date.now();
      const totals = sims.totals();
      say(`${seconds(Date.now() - t0)}: ${totals.assigned} on their nodes, ${totals.started} reported running by the nodes, ${counts.running}/${counts.desired} running in the store`);
    }
    if (counts.running < TASKS) await Bun.sleep(Math.min(MAX_POLL_MS, Math.max(POLL_MS, POLL_DUTY * (performance.now() - asked))));
  }
  const converged = counts.running >= TASKS;
  if (!converged) {
    process.exitCode = 1;
    say(`not converged within ${seconds(TIMEOUT_MS)}: ${counts.running}/${TASKS} running; the figures below are up to then`);
  }
  profileWindow.to = Date.now();
  const after = { leader: processFigures(leader.daemon!.pid), followers: followers.map((host) => processFigures(host.daemon!.pid)) };
  const totals = sims.totals();
  const windowMs = profileWindow.to - t0;

  const figures: ScaleFigures = {
    nodes: joined.joined,
    tasks: TASKS,
    joinMs,
    readyMs,
    createdMs,
    placedCount: totals.assigned,
    runningCount: counts.running,
    placedMs: (placed.at("all") ?? Number.NaN) - t0,
    placedSteadyPerSecond: steadyRate(placed, TASKS),
    runningMs: (running.at("all") ?? Number.NaN) - t0,
    windowMs,
    runningSteadyPerSecond: steadyRate(running, TASKS),
    firstPlacedMs: (placed.at("first") ?? Number.NaN) - t0,
    leaderCpuSeconds: after.leader.cpuSeconds - before.leader.cpuSeconds,
    leaderWrites: { calls: after.leader.writeCalls - before.leader.writeCalls, mib: after.leader.writtenMiB - before.leader.writtenMiB },
    followerCpuSeconds: after.followers.map((figure, index) => figure.cpuSeconds - before.followers[index]!.cpuSeconds),
    leaderRss: { before: before.leader.rssMiB, after: after.leader.rssMiB, peak: after.leader.peakMiB },
    followerRss: after.followers.map((figure, index) => ({ before: before.followers[index]!.rssMiB, after: figure.rssMiB, peak: figure.peakMiB })),
    assignmentMessages: totals.messages - simBefore.messages,
    simCpuSeconds: (totals.cpuMs - simBefore.cpuMs) / 1000,
    simRssMiB: totals.rssMiB,
  };
  printFigures(figures);
  printComparison(figures);
} catch (error) {
  process.exitCode = 1;
  if (profileWindow && profileWindow.to === Number.POSITIVE_INFINITY) profileWindow.to = Date.now();
  console.error(`scale bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanup();
}
if (CPU_PROFILE_DIR && profileWindow) printLeaderProfile(CPU_PROFILE_DIR, profileWindow);
process.exit(process.exitCode ?? 0);

/**
 * A wrapper that runs `shoal daemon` from source under Bun's CPU profiler (profiles go to `dir` when
 * the daemon stops) and every other command through `binary`.
 */
function profilingBinary(dir: string, binary: string): string {
  mkdirSync(dir, { recursive: true });
  const wrapper = join(dir, "shoal-profiled");
  const main = join(import.meta.dir, "../../src/main.ts");
  const bunFlags = `--cpu-prof --cpu-prof-md --cpu-prof-dir=${dir}`;
  writeFileSync(wrapper, `#!/bin/sh\nif [ "$1" = daemon ]; then exec ${process.execPath} ${bunFlags} ${main} "$@"; fi\nexec ${binary} "$@"\n`, { mode: 0o755 });
  return wrapper;
}

/** Copies the managers' daemon logs to {@link LOG_DIR} (replacing an earlier run's). */
function keepDaemonLogs(managers: TestHost[]): void {
  rmSync(LOG_DIR, { recursive: true, force: true });
  mkdirSync(LOG_DIR, { recursive: true });
  for (const host of managers) if (host.daemon && existsSync(host.daemon.logFile)) copyFileSync(host.daemon.logFile, join(LOG_DIR, `${host.hostname}.log`));
  say(`the managers' logs are in ${LOG_DIR}`);
}

/** The leader's CPU profile (written when its daemon stopped) over the window. */
function printLeaderProfile(dir: string, window: { pid: number; from: number; to: number }): void {
  const file = readdirSync(dir).find((name) => name.endsWith(".cpuprofile") && name.includes(`.${window.pid}.`));
  if (!file) {
    console.log(`# no CPU profile of the leader (pid ${window.pid}) in ${dir}`);
    return;
  }
  console.log(`# the leader's CPU from the first create to all running (${join(dir, file)})`);
  console.log(formatProfile(summarizeProfile(join(dir, file), window.from, window.to, 30)));
}

/** Tasks per second between the 10 % and 90 % milestones (the steady rate, without the start and the tail). */
function steadyRate(milestones: Milestones, total: number): number {
  const from = milestones.at("10%");
  const to = milestones.at("90%");
  if (from === undefined || to === undefined) return Number.NaN;
  return (0.8 * total) / Math.max(0.001, (to - from) / 1000);
}

function printFigures(f: ScaleFigures): void {
  const perSecond = (count: number, ms: number) => `${Math.round(count / (ms / 1000)).toLocaleString("en")}/s`;
  const mib = (value: number) => `${value.toFixed(0)} MiB`;
  /** A rate to all `f.tasks`, or to what was reached when the run ended first. */
  const rate = (ms: number, reached: number) =>
    Number.isNaN(ms) ? { value: perSecond(reached, f.windowMs), note: `only ${reached}/${f.tasks} in ${seconds(f.windowMs)}` } : { value: perSecond(f.tasks, ms), note: seconds(ms) };
  const placed = rate(f.placedMs, f.placedCount);
  const running = rate(f.runningMs, f.runningCount);
  const steady = (value: number) => (Number.isNaN(value) ? "n/a" : `${Math.round(value).toLocaleString("en")}/s`);
  report("nodes joined (real join: token, CSR, certificate)", `${f.nodes}`, `${seconds(f.joinMs)} (${perSecond(f.nodes, f.joinMs)}); all ready after ${seconds(f.readyMs)}`);
  report("services created (API)", seconds(f.createdMs), `${SERVICES} services, ${f.tasks} tasks`);
  report("first task on its node", seconds(f.firstPlacedMs), "after the first create request");
  report("tasks placed (create → all on their nodes)", placed.value, `${placed.note}; 10→90 %: ${steady(f.placedSteadyPerSecond)}; goal ≥ 20,000/s`);
  report("tasks converged (create → all running)", running.value, `${running.note}; 10→90 %: ${steady(f.runningSteadyPerSecond)} (running committed, counted on a follower)`);
  report("leader CPU (create → end)", `${f.leaderCpuSeconds.toFixed(1)} CPU-s`, `${((f.leaderCpuSeconds / Math.max(1, f.runningCount)) * 1e6).toFixed(0)} µs per running task; ${((100 * f.leaderCpuSeconds) / (f.windowMs / 1000)).toFixed(0)} % of a core; followers ${f.followerCpuSeconds.map((value) => value.toFixed(1)).join(", ")} CPU-s`);
  report("leader write(2)s (raft log, log files)", `${f.leaderWrites.mib.toFixed(0)} MiB`, `${f.leaderWrites.calls} calls (socket sends are not counted here); ${((f.leaderWrites.mib * 1024) / Math.max(1, f.placedCount)).toFixed(1)} KiB per task`);
  report("leader RSS (before → after, peak)", `${mib(f.leaderRss.after)}`, `before ${mib(f.leaderRss.before)}, peak ${mib(f.leaderRss.peak)}; ${(((f.leaderRss.after - f.leaderRss.before) * 1024) / Math.max(1, f.placedCount)).toFixed(1)} KiB per task`);
  for (const [index, rss] of f.followerRss.entries()) report(`follower ${index + 1} RSS (before → after, peak)`, mib(rss.after), `before ${mib(rss.before)}, peak ${mib(rss.peak)}`);
  report("simulated nodes' processes", `${f.simCpuSeconds.toFixed(1)} CPU-s`, `RSS ${mib(f.simRssMiB)} in all (${((f.simRssMiB * 1024) / f.nodes).toFixed(0)} KiB per node); ${f.assignmentMessages} assignments messages`);
}
