/**
 * The services benchmark's measurements, the same for every engine, driven through its own CLI on a
 * swarm of three namespace hosts (manager1 inits, worker1 and worker2 join; the manager runs tasks
 * too): create, scale, rolling update, worker death, drain, and the memory and CPU a task costs.
 * Every service runs `busybox sleep 100000` under `--init` (tini, which stops at once on SIGTERM:
 * no stop waits for the 10 s grace period). Times are wall clock from just before the command (or
 * the kill) to the first poll that sees the target state.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { busyboxImage, dockerSaveArchive } from "../../test/support/image-archives.ts";
import { cpuSecondsSince, cpuSnapshot, killEverything, memory } from "./services-processes.ts";
import { cliOk, type SwarmCluster, type SwarmHost } from "./swarm-cluster.ts";
import { leaveAll, nodeRows, pollUntil } from "./swarm-workloads.ts";

/** The image every task runs, and a second tag of it for the rolling update. */
export const IMAGE = "bench/busybox:1";
export const IMAGE_UPDATED = "bench/busybox:2";
const TASK = ["--init", IMAGE, "busybox", "sleep", "100000"];
/** Polls of long convergences (create, scale) are sparser, so that the CLI calls load the machine less. */
const SLOW_POLL_MS = 250;
const POLL_MS = 100;
const CONVERGE_TIMEOUT_MS = 600_000;

/** The swarm's roles: manager1 and two workers. */
export function serviceRoles(cluster: SwarmCluster): { manager: SwarmHost; workers: [SwarmHost, SwarmHost] } {
  const [manager, first, second] = cluster.hosts;
  if (!manager || !first || !second) throw new Error(`${cluster.name}: the services benchmark needs 3 hosts`);
  return { manager, workers: [first, second] };
}
const netnses = (cluster: SwarmCluster) => cluster.hosts.map((host) => host.netns);

/** Loads the busybox image under both tags into every host's engine (`load -i`, the same archive for both engines). */
export async function loadImage(cluster: SwarmCluster, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const archive = join(dir, "busybox.tar");
  const image = await busyboxImage(["sh"]);
  writeFileSync(archive, await dockerSaveArchive([IMAGE, IMAGE_UPDATED], image.config, image.layer));
  for (const host of cluster.hosts) await cliOk(host, ["load", "-i", archive], 120_000);
}

/** manager1 inits; both workers join with the worker token; resolves when `node ls` shows all three Ready. */
export async function formSwarm(cluster: SwarmCluster): Promise<void> {
  const { manager, workers } = serviceRoles(cluster);
  await leaveAll(cluster);
  await cliOk(manager, ["swarm", "init", "--advertise-addr", manager.address], 60_000);
  const token = await cliOk(manager, ["swarm", "join-token", "-q", "worker"]);
  for (const worker of workers) await cliOk(worker, ["swarm", "join", "--advertise-addr", worker.address, "--token", token, `${manager.address}:2377`], 60_000);
  await allReady(cluster);
}

async function allReady(cluster: SwarmCluster): Promise<void> {
  const { manager } = serviceRoles(cluster);
  await pollUntil(`${cluster.name}: all 3 nodes Ready`, async () => [...(await nodeRows(manager)).values()].filter((row) => row.status === "Ready").length === cluster.hosts.length, 120_000);
}

/** `service create --detach` of the benchmark's task with `replicas` replicas and `flags`. */
async function createService(manager: SwarmHost, name: string, replicas: number, flags: string[] = []): Promise<void> {
  await cliOk(manager, ["service", "create", "--detach", "--no-resolve-image", "--name", name, "--replicas", String(replicas), ...flags, ...TASK], 120_000);
}

/** Polls `service ls` until `name` shows `want/want`; resolves with performance.now() then. The last REPLICAS seen is in the error. */
async function untilReplicas(cluster: SwarmCluster, name: string, want: number, intervalMs = POLL_MS): Promise<number> {
  const { manager } = serviceRoles(cluster);
  let seen = "none";
  try {
    return await pollUntil(
      `${cluster.name}: ${name} ${want}/${want}`,
      async () => {
        seen = await cliOk(manager, ["service", "ls", "--filter", `name=${name}`, "--format", "{{.Name}} {{.Replicas}}"]);
        return seen.split("\n").some((line) => line === `${name} ${want}/${want}`);
      },
      CONVERGE_TIMEOUT_MS,
      intervalMs,
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (last seen: ${seen || "nothing"})`);
  }
}

/** Tasks of `name` desired running and running, as `service ps` on the manager shows them. */
async function runningTasks(cluster: SwarmCluster, name: string): Promise<{ node: string; image: string }[]> {
  const { manager } = serviceRoles(cluster);
  const out = await cliOk(manager, ["service", "ps", name, "--filter", "desired-state=running", "--format", "{{.Node}}|{{.Image}}|{{.CurrentState}}"]);
  return out
    .split("\n")
    .map((line) => line.split("|"))
    .filter(([, , state]) => state?.startsWith("Running"))
    .map(([node = "", image = ""]) => ({ node, image }));
}

/** Containers (running, or all with `all`) on `host`. */
async function containerCount(host: SwarmHost, all = false): Promise<number> {
  return (await cliOk(host, ["ps", "-q", ...(all ? ["-a"] : [])])).split("\n").filter(Boolean).length;
}

/** Removes every service, then waits until no host has a container left; resolves with the ms until none runs. */
export async function removeServices(cluster: SwarmCluster): Promise<number> {
  const { manager } = serviceRoles(cluster);
  const started = performance.now();
  const names = (await cliOk(manager, ["service", "ls", "--format", "{{.Name}}"])).split("\n").filter(Boolean);
  if (names.length > 0) await cliOk(manager, ["service", "rm", ...names], 120_000);
  const stopped = await pollUntil(`${cluster.name}: no containers running after service rm`, async () => (await Promise.all(cluster.hosts.map((host) => containerCount(host)))).every((count) => count === 0), 300_000, SLOW_POLL_MS);
  await pollUntil(`${cluster.name}: no containers left after service rm`, async () => (await Promise.all(cluster.hosts.map((host) => containerCount(host, true)))).every((count) => count === 0), 120_000, SLOW_POLL_MS);
  return stopped - started;
}

/** A service of 3 replicas runs within `timeoutMs`: the orchestration works at all. */
export async function smokeTest(cluster: SwarmCluster, timeoutMs = 90_000): Promise<void> {
  const { manager } = serviceRoles(cluster);
  await createService(manager, "smoke", 3);
  let seen = "";
  try {
    await pollUntil(
      `${cluster.name}: service smoke 3/3`,
      async () => {
        seen = await cliOk(manager, ["service", "ls", "--filter", "name=smoke", "--format", "{{.Replicas}}"]);
        return seen === "3/3";
      },
      timeoutMs,
    );
  } catch (error) {
    const tasks = await manager.cli(["service", "ps", "smoke", "--no-trunc", "--format", "{{.Node}} {{.CurrentState}} {{.Error}}"]);
    throw new Error(`${error instanceof Error ? error.message : String(error)} (service ls: ${seen || "nothing"}; service ps: ${(tasks.stdout.trim() || tasks.stderr.trim()).split("\n").slice(0, 4).join("; ")})`);
  }
  await removeServices(cluster);
}

/** Figures of creating 100 replicas. */
export interface CreateFigures {
  /** `service create` until 100/100 (ms). */
  converged: number;
  /** CPU-seconds of the daemons and monitors of all hosts meanwhile, and the daemons' share. */
  cpuSeconds: number;
  daemonCpuSeconds: number;
  /** Per task, with all running and 5 s settled: monitor RSS and daemon RSS growth since before the create (MiB). */
  monitorPerTask: number;
  daemonPerTask: number;
  monitors: number;
  /** `service rm` until no container runs (ms). */
  removed: number;
}

/** `service create --replicas n` until n/n, its CPU, the memory a running task costs, then its removal. */
export async function createMany(cluster: SwarmCluster, replicas: number): Promise<CreateFigures> {
  const { manager } = serviceRoles(cluster);
  await Bun.sleep(3000);
  const before = memory(netnses(cluster));
  const cpu = cpuSnapshot(netnses(cluster));
  const started = performance.now();
  await createService(manager, "many", replicas);
  const done = await untilReplicas(cluster, "many", replicas, SLOW_POLL_MS);
  const cpuSeconds = cpuSecondsSince(cpu, netnses(cluster));
  await Bun.sleep(5000);
  const after = memory(netnses(cluster));
  const removed = await removeServices(cluster);
  return {
    converged: done - started,
    cpuSeconds: cpuSeconds.total,
    daemonCpuSeconds: cpuSeconds.daemons,
    monitorPerTask: after.monitorMiB / replicas,
    daemonPerTask: (after.daemonMiB - before.daemonMiB) / replicas,
    monitors: after.monitors,
    removed,
  };
}

/** `service scale from → to` until to/to (ms) and the daemons' and monitors' CPU-seconds meanwhile. */
export async function scaleUp(cluster: SwarmCluster, from: number, to: number): Promise<{ converged: number; cpuSeconds: number; daemonCpuSeconds: number }> {
  const { manager } = serviceRoles(cluster);
  await createService(manager, "scaled", from);
  await untilReplicas(cluster, "scaled", from, SLOW_POLL_MS);
  await Bun.sleep(2000);
  const cpu = cpuSnapshot(netnses(cluster));
  const started = performance.now();
  await cliOk(manager, ["service", "scale", "--detach", `scaled=${to}`], 120_000);
  const done = await untilReplicas(cluster, "scaled", to, SLOW_POLL_MS);
  const cpuSeconds = cpuSecondsSince(cpu, netnses(cluster));
  await removeServices(cluster);
  return { converged: done - started, cpuSeconds: cpuSeconds.total, daemonCpuSeconds: cpuSeconds.daemons };
}

/** Figures of a rolling update. */
export interface UpdateFigures {
  /** `service update` until all replicas run the new image (ms). */
  rolledOut: number;
  /** … until UpdateStatus is `completed` too: SwarmKit's updater watches the last tasks for the monitor period (5 s by default) first (ms). */
  completed: number;
}

/** Rolling update of `replicas` replicas `parallelism` at a time, no delay, to the second image tag. */
export async function rollingUpdate(cluster: SwarmCluster, replicas: number, parallelism: number): Promise<UpdateFigures> {
  const { manager } = serviceRoles(cluster);
  await createService(manager, "rolled", replicas, ["--update-parallelism", String(parallelism), "--update-delay", "0s"]);
  await untilReplicas(cluster, "rolled", replicas);
  await Bun.sleep(2000);
  let seen = "";
  let rolledOut: number | undefined;
  const started = performance.now();
  await cliOk(manager, ["service", "update", "--detach", "--no-resolve-image", "--image", IMAGE_UPDATED, "rolled"], 120_000);
  const completed = await pollUntil(
    `${cluster.name}: rolling update of ${replicas} by ${parallelism} completed`,
    async () => {
      const [state, tasks] = await Promise.all([
        cliOk(manager, ["service", "inspect", "--format", "{{if .UpdateStatus}}{{.UpdateStatus.State}}{{end}}", "rolled"]),
        runningTasks(cluster, "rolled"),
      ]);
      const updated = tasks.filter((task) => task.image === IMAGE_UPDATED).length;
      seen = `UpdateStatus ${state || "none"}, ${updated}/${tasks.length} running tasks updated`;
      const allUpdated = updated === replicas && tasks.length === replicas;
      if (allUpdated) rolledOut ??= performance.now();
      return state === "completed" && allUpdated;
    },
    CONVERGE_TIMEOUT_MS,
  ).catch((error) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (last seen: ${seen})`);
  });
  await removeServices(cluster);
  return { rolledOut: rolledOut! - started, completed: completed - started };
}

/** Figures of a worker's death. */
export interface WorkerDeathFigures {
  /** kill -9 until `node ls` on the manager shows it Down (ms). */
  down: number;
  /** kill -9 until all replicas run on the other nodes (ms). */
  recovered: number;
}

/**
 * kill -9 of everything of the engine on worker2 (daemon, monitors, containers) with `replicas`
 * replicas spread over the three nodes, until they all run on the other two; then the worker is
 * restarted and Ready again. Returns the figures and the dead containers' cgroups, for the teardown.
 */
export async function workerDeath(cluster: SwarmCluster, replicas: number): Promise<WorkerDeathFigures & { cgroups: string[] }> {
  const { manager, workers } = serviceRoles(cluster);
  const victim = workers[1];
  await createService(manager, "survivor", replicas);
  await untilReplicas(cluster, "survivor", replicas);
  await Bun.sleep(3000);
  const onVictim = (await runningTasks(cluster, "survivor")).filter((task) => task.node === victim.hostname).length;
  if (onVictim === 0) throw new Error(`${cluster.name}: no task of ${replicas} runs on ${victim.hostname}; nothing to recover`);
  let down: number | undefined;
  let seen = "";
  const started = performance.now();
  const cgroups = await killEverything(victim.netns);
  const recovered = await pollUntil(
    `${cluster.name}: ${replicas} running again without ${victim.hostname}`,
    async () => {
      if (down === undefined && (await nodeRows(manager)).get(victim.hostname)?.status === "Down") down = performance.now();
      const tasks = await runningTasks(cluster, "survivor");
      const elsewhere = tasks.filter((task) => task.node !== victim.hostname).length;
      seen = `${elsewhere} running elsewhere, ${tasks.length - elsewhere} still shown on ${victim.hostname}`;
      return elsewhere === replicas;
    },
    CONVERGE_TIMEOUT_MS,
  ).catch((error) => {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (last seen: ${seen})`);
  });
  down ??= await pollUntil(`${cluster.name}: killed ${victim.hostname} Down`, async () => (await nodeRows(manager)).get(victim.hostname)?.status === "Down", 120_000);
  await cliOk(manager, ["service", "rm", "survivor"]);
  await victim.restart();
  await allReady(cluster);
  await removeServices(cluster);
  return { down: down - started, recovered: recovered - started, cgroups };
}

/** Figures of a drain. */
export interface DrainFigures {
  /** `node update --availability drain` until all replicas run on the other nodes (ms). */
  moved: number;
  /** … until no container runs on the drained node (ms). */
  emptied: number;
}

/** Drains worker1 with `replicas` replicas spread over the three nodes; it is made active again afterwards. */
export async function drain(cluster: SwarmCluster, replicas: number): Promise<DrainFigures> {
  const { manager, workers } = serviceRoles(cluster);
  const drained = workers[0];
  await createService(manager, "drained", replicas);
  await untilReplicas(cluster, "drained", replicas);
  await Bun.sleep(3000);
  let moved: number | undefined;
  let emptied: number | undefined;
  let seen = "";
  const started = performance.now();
  await cliOk(manager, ["node", "update", "--availability", "drain", drained.hostname]);
  try {
    await pollUntil(
      `${cluster.name}: ${replicas} running off drained ${drained.hostname}, none left on it`,
      async () => {
        const [tasks, left] = await Promise.all([runningTasks(cluster, "drained"), containerCount(drained)]);
        const elsewhere = tasks.filter((task) => task.node !== drained.hostname).length;
        seen = `${elsewhere} running elsewhere, ${left} containers left on ${drained.hostname}`;
        if (moved === undefined && elsewhere === replicas) moved = performance.now();
        if (emptied === undefined && left === 0) emptied = performance.now();
        return moved !== undefined && emptied !== undefined;
      },
      CONVERGE_TIMEOUT_MS,
    );
  } catch (error) {
    throw new Error(`${error instanceof Error ? error.message : String(error)} (last seen: ${seen})`);
  } finally {
    await cliOk(manager, ["node", "update", "--availability", "active", drained.hostname]).catch(() => {});
  }
  await removeServices(cluster);
  return { moved: moved! - started, emptied: emptied! - started };
}
