/**
 * The swarm benchmark's measurements, the same for every engine, driven through its CLI on
 * namespace hosts: init, managers and a worker joining, worker death → Down, leader death → a new
 * leader serving writes, and the daemons' idle RSS. Times are wall clock from just before the
 * command (or the kill) to the first poll that sees the target state; polls run every 100 ms.
 */
import { cliOk, type SwarmCluster, type SwarmHost } from "./swarm-cluster.ts";

const POLL_MS = 100;
/** A CLI call while the swarm has no leader may hang; it is given up after this long and polled again. */
const POLL_COMMAND_TIMEOUT_MS = 5_000;

/** One `node ls` row. */
export interface NodeRow {
  id: string;
  status: string;
  manager: string;
}

/** `node ls` on `from`, by hostname. */
export async function nodeRows(from: SwarmHost, timeoutMs = POLL_COMMAND_TIMEOUT_MS): Promise<Map<string, NodeRow>> {
  const out = await cliOk(from, ["node", "ls", "--format", "{{.Hostname}}|{{.ID}}|{{.Status}}|{{.ManagerStatus}}"], timeoutMs);
  return new Map(
    out
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [hostname = "", id = "", status = "", manager = ""] = line.split("|");
        return [hostname, { id, status, manager }];
      }),
  );
}

/** Polls `check` (a throw counts as not yet) every `intervalMs` until it holds; resolves with performance.now() at that poll. */
export async function pollUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = POLL_MS): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return performance.now();
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await Bun.sleep(intervalMs);
  }
}

/** The cluster's roles: three managers (the first inits) and one worker. */
export function roles(cluster: SwarmCluster): { managers: [SwarmHost, SwarmHost, SwarmHost]; worker: SwarmHost } {
  const [first, second, third, worker] = cluster.hosts;
  if (!first || !second || !third || !worker) throw new Error(`${cluster.name}: the swarm benchmark needs 4 hosts`);
  return { managers: [first, second, third], worker };
}

/** Every host leaves whatever swarm it is in (workers first), then a second's pause as the research scripts make. */
export async function leaveAll(cluster: SwarmCluster): Promise<void> {
  for (const host of [...cluster.hosts].reverse()) {
    const result = await host.cli(["swarm", "leave", "--force"], 60_000);
    if (result.exitCode !== 0 && !result.stderr.includes("This node is not part of a swarm")) {
      throw new Error(`swarm leave --force on ${host.hostname} failed (${result.exitCode}): ${result.stderr.trim()}`);
    }
  }
  await Bun.sleep(1000);
}

/** `swarm init --advertise-addr` on `host`; its wall time in ms. */
export async function timeInit(host: SwarmHost): Promise<number> {
  const started = performance.now();
  await cliOk(host, ["swarm", "init", "--advertise-addr", host.address], 60_000);
  return performance.now() - started;
}

const managerStatuses = (rows: Map<string, NodeRow>, managers: SwarmHost[]) =>
  managers
    .map((host) => rows.get(host.hostname)?.manager ?? "")
    .sort()
    .join(",");

/** All three managers Ready, one Leader and two Reachable, in `node ls` on `from`. */
export async function managersSettled(from: SwarmHost, managers: SwarmHost[]): Promise<boolean> {
  const rows = await nodeRows(from);
  return managerStatuses(rows, managers) === "Leader,Reachable,Reachable" && managers.every((host) => rows.get(host.hostname)?.status === "Ready");
}

/** Figures of one swarm formation. */
export interface Formation {
  /** Each manager's `swarm join` until it returned (ms). */
  managerJoinReturns: number[];
  /** From the first manager join until `node ls` shows 3 Ready managers, one Leader and two Reachable (ms). */
  managersJoined: number;
  /** From the worker's `swarm join` until `node ls` shows it Ready (ms). */
  workerJoined: number;
}

/** manager1 inits (not timed), manager2 and manager3 join with the manager token one after the other, then the worker joins. */
export async function form(cluster: SwarmCluster): Promise<Formation> {
  const { managers, worker } = roles(cluster);
  const [first] = managers;
  await timeInit(first);
  const managerToken = await cliOk(first, ["swarm", "join-token", "-q", "manager"]);
  const workerToken = await cliOk(first, ["swarm", "join-token", "-q", "worker"]);
  const join = async (host: SwarmHost, token: string) => {
    const started = performance.now();
    await cliOk(host, ["swarm", "join", "--advertise-addr", host.address, "--token", token, `${first.address}:2377`], 60_000);
    return performance.now() - started;
  };
  const managersStarted = performance.now();
  const managerJoinReturns = [await join(managers[1], managerToken), await join(managers[2], managerToken)];
  const managersDone = await pollUntil(`${cluster.name}: 3 managers Leader/Reachable`, () => managersSettled(first, managers), 60_000);
  const workerStarted = performance.now();
  await join(worker, workerToken);
  const workerDone = await pollUntil(`${cluster.name}: worker Ready`, async () => (await nodeRows(first)).get(worker.hostname)?.status === "Ready", 60_000);
  return { managerJoinReturns, managersJoined: managersDone - managersStarted, workerJoined: workerDone - workerStarted };
}

/** kill -9 of the worker's daemon until `node ls` on manager1 shows it Down (ms); then it is restarted and Ready again. */
export async function workerDeath(cluster: SwarmCluster): Promise<number> {
  const { managers, worker } = roles(cluster);
  const started = performance.now();
  await worker.crash();
  const down = await pollUntil(`${cluster.name}: killed worker Down`, async () => (await nodeRows(managers[0])).get(worker.hostname)?.status === "Down", 120_000);
  await worker.restart();
  await pollUntil(`${cluster.name}: restarted worker Ready`, async () => (await nodeRows(managers[0])).get(worker.hostname)?.status === "Ready", 120_000);
  await Bun.sleep(2000);
  return down - started;
}

/** Figures of one leader failover. */
export interface Failover {
  oldLeader: string;
  newLeader: string;
  /** kill -9 until another manager's `node ls` shows a new Leader (ms). */
  newLeaderSeen: number;
  /** kill -9 until that `node ls` works and a write (`node update --label-add`) on that manager succeeds (ms). */
  writeServed: number;
}

/** kill -9 of the leader's daemon, timed on the next manager; the killed daemon is restarted and Reachable again before it returns. */
export async function leaderDeath(cluster: SwarmCluster, run: number): Promise<Failover> {
  const { managers, worker } = roles(cluster);
  let rows: Map<string, NodeRow> | undefined;
  let leader: SwarmHost | undefined;
  for (const host of managers) {
    rows = await nodeRows(host).catch(() => undefined);
    leader = managers.find((manager) => rows?.get(manager.hostname)?.manager === "Leader");
    if (leader) break;
  }
  if (!leader || !rows) throw new Error(`${cluster.name}: no manager shows a leader`);
  const observer = managers[(managers.indexOf(leader) + 1) % managers.length]!;
  const target = rows.get(worker.hostname)?.id ?? rows.get(observer.hostname)!.id;
  const started = performance.now();
  await leader.crash();
  let newLeaderSeen: number | undefined;
  let newLeader = "";
  const writeServed = await pollUntil(
    `${cluster.name}: a new leader serving writes after ${leader.hostname} was killed`,
    async () => {
      const seen = await nodeRows(observer);
      const current = [...seen].find(([, row]) => row.manager === "Leader")?.[0];
      if (!current || current === leader.hostname) return false;
      newLeader = current;
      newLeaderSeen ??= performance.now();
      await cliOk(observer, ["node", "update", "--label-add", `bench-failover=${run}`, target], POLL_COMMAND_TIMEOUT_MS);
      return true;
    },
    120_000,
  );
  await leader.restart();
  await pollUntil(`${cluster.name}: restarted ${leader.hostname} Reachable`, () => managersSettled(observer, managers), 120_000);
  await Bun.sleep(3000);
  return { oldLeader: leader.hostname, newLeader, newLeaderSeen: newLeaderSeen! - started, writeServed: writeServed - started };
}

/** RSS (MiB) by process name of each manager's engine, after the formed swarm has idled `idleMs`. */
export async function idleRss(cluster: SwarmCluster, idleMs: number): Promise<Record<string, number>[]> {
  await Bun.sleep(idleMs);
  return roles(cluster).managers.map((host) => host.rss());
}
