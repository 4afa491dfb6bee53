/**
 * Services figures: shoal beside Docker 20.10's swarm mode (Debian's docker.io) in the same run, each
 * on three namespace hosts of its own (manager1 + worker1 + worker2; shoal: cluster tag bsv,
 * 10.99.111.0/24; docker: bsd, 10.99.112.0/24), each driven through its own CLI, the same workload
 * for both (`--init bench/busybox:1 busybox sleep 100000`, the image loaded into every engine):
 *   1. `service create --replicas 100` until 100/100, and the CPU-seconds of the daemons and their
 *      monitors (conmon / containerd-shim, with the runc and hook processes they reaped) meanwhile;
 *   2. `service scale` 10 → 100 until 100/100, and its CPU-seconds;
 *   3. a rolling update of 20 replicas (`--update-parallelism 5 --update-delay 0s`, to a second tag of
 *      the image) until 20/20 run the new image, and until UpdateStatus is completed as well;
 *   4. kill -9 of everything of the engine on worker2 (daemon, monitors, containers) with 30 replicas
 *      until 30 run on the other two nodes;
 *   5. drain of worker1 with 30 replicas until all run elsewhere and none is left on it;
 *   6. memory per task with the 100 running: monitor RSS, and daemon RSS growth (all hosts) / 100.
 * The engines take turns step by step so they see the same machine load. A step that fails is noted
 * and not tried again for that engine; the others go on. Everything is removed at the end, also on
 * failure or ^C.
 * Usage: bun scripts/bench/services.ts [--quick] [--no-docker | --no-shoal] [path/to/shoal]
 */
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { cgroupParentsMade, printTable, type Figures } from "./services-table.ts";
import { hostProcesses, killEverything, removeEmptyCgroups } from "./services-processes.ts";
import { createMany, drain, formSwarm, loadImage, removeServices, rollingUpdate, scaleUp, smokeTest, workerDeath } from "./services-workloads.ts";
import type { SwarmCluster } from "./swarm-cluster.ts";
import { dockerMissing, startDockerCluster } from "./swarm-docker.ts";
import { startShoalCluster } from "./swarm-shoal.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const withShoal = !args.includes("--no-shoal");
const withDocker = !args.includes("--no-docker");
const binary = resolve(args.find((arg) => !arg.startsWith("--")) ?? process.env.SHOAL_BINARY ?? join(import.meta.dir, "../../dist/shoal"));
const RUNS = quick ? 1 : 3;
const HOSTNAMES = ["manager1", "worker1", "worker2"];
const dir = `/tmp/shoal-servicesbench-${process.pid}`;

// ---- cleanup: a stack of steps, run once, at the end or on a signal ---------------------------
const cleanups: (() => Promise<void> | void)[] = [];
let cleaned = false;
/** Set on ^C: the teardown then kills what runs instead of removing the services first. */
let interrupted = false;
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
    console.error(`services bench: ${signal}, cleaning up`);
    interrupted = true;
    void cleanup().finally(() => process.exit(130));
  });
}
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The cgroups of containers this run killed, removed at the very end when empty. */
const deadCgroups = new Set<string>();
const dockerCgroupParents = cgroupParentsMade("docker");
cleanups.push(() => {
  removeEmptyCgroups([...deadCgroups, ...dockerCgroupParents.madeSince()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Removes the cluster's services, kills what is left of the engine on every host, then tears the cluster down. */
function teardownStep(cluster: SwarmCluster): () => Promise<void> {
  return async () => {
    if (!interrupted) {
      await Promise.race([removeServices(cluster).catch((error) => console.error(`  ${cluster.name}: removing the services at the end: ${message(error)}`)), Bun.sleep(180_000)]);
    }
    for (const host of cluster.hosts) {
      if (hostProcesses(host.netns).monitors.length > 0) for (const path of await killEverything(host.netns)) deadCgroups.add(path);
    }
    await cluster.teardown();
  };
}

// ---- the run ---------------------------------------------------------------------------------
const clusters: SwarmCluster[] = [];
const figures = new Map<string, Figures>();
const skipped: string[] = [];
const problems: string[] = [];
/** Steps that failed, by `<cluster>/<step>`: not tried again. */
const failed = new Set<string>();
const broken = new Set<SwarmCluster>();
const note = (cluster: SwarmCluster, text: string) => console.error(`  ${cluster.name}: ${text}`);

/** Runs one step on each working cluster in turn; a failure is noted, its services removed, and that step not tried again there. */
async function each(step: string, work: (cluster: SwarmCluster, record: Figures) => Promise<void>): Promise<void> {
  for (const cluster of clusters) {
    if (broken.has(cluster) || failed.has(`${cluster.name}/${step}`)) continue;
    try {
      await work(cluster, figures.get(cluster.name)!);
    } catch (error) {
      failed.add(`${cluster.name}/${step}`);
      problems.push(`${cluster.name}: ${step} failed (not tried again): ${message(error)}`);
      note(cluster, `${step} failed: ${message(error)}`);
      try {
        await removeServices(cluster);
      } catch (cleanupError) {
        broken.add(cluster);
        problems.push(`${cluster.name}: cannot remove the services after that (later steps skipped): ${message(cleanupError)}`);
      }
    }
  }
}

try {
  if (withShoal) {
    if (!existsSync(binary)) throw new Error(`no shoal binary at ${binary} (make build makes dist/shoal)`);
    process.env.SHOAL_BINARY = binary;
    const shoal = await startShoalCluster({ cluster: "bsv", subnet: 111, hostnames: HOSTNAMES });
    cleanups.push(teardownStep(shoal));
    clusters.push(shoal);
  }
  if (withDocker) {
    const missing = dockerMissing();
    if (missing) skipped.push(`docker: ${missing}`);
    else {
      try {
        const docker = await startDockerCluster({ cluster: "bsd", subnet: 112, hostnames: HOSTNAMES });
        cleanups.push(teardownStep(docker));
        clusters.push(docker);
      } catch (error) {
        skipped.push(`docker: cannot start dockerd on namespace hosts: ${message(error)}`);
      }
    }
  }
  for (const cluster of clusters) {
    figures.set(cluster.name, { create: [], createCpu: [], remove: [], monitorPerTask: [], daemonPerTask: [], scale: [], scaleCpu: [], updateRolledOut: [], updateCompleted: [], workerDown: [], workerBack: [], drainMoved: [], drainEmptied: [] });
  }

  for (const cluster of [...clusters]) {
    try {
      await formSwarm(cluster);
      await loadImage(cluster, join(dir, cluster.name.replace(/\W+/g, "-")));
      const started = performance.now();
      await smokeTest(cluster);
      note(cluster, `swarm of 3 formed, image loaded, 3 replicas ran and were removed in ${seconds(performance.now() - started)}`);
    } catch (error) {
      broken.add(cluster);
      problems.push(`${cluster.name}: cannot run a service of 3 replicas (every step skipped): ${message(error)}`);
      note(cluster, `not measured: ${message(error)}`);
    }
  }

  for (let run = 1; run <= RUNS; run++) {
    await each("create 100", async (cluster, record) => {
      const result = await createMany(cluster, 100);
      record.create.push(result.converged);
      record.createCpu.push(result.cpuSeconds);
      record.monitorPerTask.push(result.monitorPerTask);
      record.daemonPerTask.push(result.daemonPerTask);
      record.remove.push(result.removed);
      note(cluster, `create ${run}: 100/100 after ${seconds(result.converged)}, ${result.cpuSeconds.toFixed(1)} CPU-s (${result.daemonCpuSeconds.toFixed(1)} in the daemons); per task ${result.monitorPerTask.toFixed(2)} MiB monitor (${result.monitors} monitors) + ${result.daemonPerTask.toFixed(2)} MiB daemons; removed in ${seconds(result.removed)}`);
    });
    await each("scale 10 → 100", async (cluster, record) => {
      const result = await scaleUp(cluster, 10, 100);
      record.scale.push(result.converged);
      record.scaleCpu.push(result.cpuSeconds);
      note(cluster, `scale ${run}: 100/100 after ${seconds(result.converged)}, ${result.cpuSeconds.toFixed(1)} CPU-s (${result.daemonCpuSeconds.toFixed(1)} in the daemons)`);
    });
    await each("rolling update", async (cluster, record) => {
      const result = await rollingUpdate(cluster, 20, 5);
      record.updateRolledOut.push(result.rolledOut);
      record.updateCompleted.push(result.completed);
      note(cluster, `rolling update ${run}: 20/20 updated after ${seconds(result.rolledOut)}, completed after ${seconds(result.completed)}`);
    });
    await each("worker death", async (cluster, record) => {
      const result = await workerDeath(cluster, 30);
      for (const path of result.cgroups) deadCgroups.add(path);
      record.workerDown.push(result.down);
      record.workerBack.push(result.recovered);
      note(cluster, `worker killed ${run}: Down after ${seconds(result.down)}, 30/30 elsewhere after ${seconds(result.recovered)}`);
    });
    await each("drain", async (cluster, record) => {
      const result = await drain(cluster, 30);
      record.drainMoved.push(result.moved);
      record.drainEmptied.push(result.emptied);
      note(cluster, `drain ${run}: 30 elsewhere after ${seconds(result.moved)}, none left after ${seconds(result.emptied)}`);
    });
  }
} catch (error) {
  process.exitCode = 1;
  console.error(`services bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanup();
}

printTable(figures, clusters.find((cluster) => cluster.name.startsWith("docker"))?.name ?? "docker", RUNS);
for (const reason of skipped) console.log(`skipped ${reason}`);
for (const problem of problems) console.log(`problem: ${problem}`);
if (problems.length > 0) process.exitCode = 1;
process.exit(process.exitCode ?? 0);
