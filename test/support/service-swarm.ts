/**
 * A three-host swarm for the service suites: manager1 inits, worker1 and worker2 join with the
 * worker token, and every host gets the test busybox images through `docker load` (the hosts have
 * no registry and no internet). The images hold the static busybox with only `sh` linked, so a
 * service runs `busybox sleep …`, not `sleep …`. Teardown kills every container the hosts ran
 * (the daemons do not stop them on their way out) before the hosts go.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Task } from "../../src/types/index.ts";
import { removeContainersUnder } from "./container-cleanup.ts";
import { dockerOk } from "./host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "./hosts.ts";
import { busyboxImage, dockerSaveArchive } from "./image-archives.ts";

/** The first image every service suite runs. */
export const IMAGE_V1 = "shoal-test/busybox:1";
/** A second image (another ID: its default command differs) for rolling updates. */
export const IMAGE_V2 = "shoal-test/busybox:2";
/** An image that is in no host's store and in no registry. */
export const MISSING_IMAGE = "shoal-test/missing:1";

/** The swarm of one suite: its hosts, by role, and each node's ID. */
export interface ServiceSwarm {
  readonly hosts: TestHosts;
  readonly manager1: TestHost;
  readonly worker1: TestHost;
  readonly worker2: TestHost;
  readonly all: TestHost[];
  /** Node ID of each host that joined. */
  readonly nodeIds: Map<TestHost, string>;
  /** The host whose node has this ID or hostname. */
  hostOf(node: string): TestHost;
  /** Joins `worker` to the swarm with the worker token (for hosts left out at creation). */
  join(worker: TestHost): Promise<void>;
  /** Kills every container and daemon, then removes the hosts (safe to call twice). */
  teardown(): Promise<void>;
}

/** Options of {@link createServiceSwarm}. */
export interface ServiceSwarmOptions {
  /** Leave the daemons running after this process exits (for trying things by hand). */
  detached?: boolean;
  /** Workers that join at once (default both). */
  joined?: ("worker1" | "worker2")[];
}

/** Loads {@link IMAGE_V1} and {@link IMAGE_V2} into `host`'s image store with `docker load`. */
export async function loadTestImages(host: TestHost, dir: string): Promise<void> {
  for (const [tag, cmd] of [
    [IMAGE_V1, ["sh", "-c", "echo v1"]],
    [IMAGE_V2, ["sh", "-c", "echo v2"]],
  ] as const) {
    const image = await busyboxImage([...cmd]);
    const archive = join(dir, `${tag.replace(/[/:]/g, "-")}.tar`);
    writeFileSync(archive, await dockerSaveArchive([tag], image.config, image.layer));
    await dockerOk(host, ["load", "-i", archive]);
  }
}

/** Makes three hosts (manager1, worker1, worker2), forms the swarm and loads the test images everywhere. */
export async function createServiceSwarm(cluster: string, subnet: number, options: ServiceSwarmOptions = {}): Promise<ServiceSwarm> {
  const hosts = await createTestHosts({ cluster, subnet, count: 3, detached: options.detached });
  const [manager1, worker1, worker2] = hosts.hosts as [TestHost, TestHost, TestHost];
  const all = [manager1, worker1, worker2];
  const nodeIds = new Map<TestHost, string>();
  let token = "";
  const joinWorker = async (worker: TestHost) => {
    await dockerOk(worker, ["swarm", "join", "--token", token, `${manager1.address}:2377`]);
    nodeIds.set(worker, await dockerOk(worker, ["info", "--format", "{{.Swarm.NodeID}}"]));
  };
  const teardown = async () => {
    // SHOAL_E2E_LOGS=<dir> keeps each daemon's log (they go with the hosts otherwise).
    const keep = process.env.SHOAL_E2E_LOGS;
    if (keep) {
      mkdirSync(keep, { recursive: true });
      for (const host of all) if (existsSync(join(host.dataRoot, "..", "daemon.log"))) copyFileSync(join(host.dataRoot, "..", "daemon.log"), join(keep, `${cluster}-${host.hostname}.log`));
    }
    for (const host of all) if (host.daemon && !host.daemon.hasExited()) await host.stopDaemon("SIGKILL");
    for (const host of all) removeContainersUnder(join(host.dataRoot, ".."), join(host.execRoot, "runtime", "runc"));
    await hosts.teardown();
  };
  try {
    await Promise.all(all.map((host) => loadTestImages(host, join(host.dataRoot, ".."))));
    await dockerOk(manager1, ["swarm", "init", "--advertise-addr", manager1.address]);
    nodeIds.set(manager1, await dockerOk(manager1, ["info", "--format", "{{.Swarm.NodeID}}"]));
    token = await dockerOk(manager1, ["swarm", "join-token", "-q", "worker"]);
    const joined = options.joined ?? ["worker1", "worker2"];
    for (const worker of [worker1, worker2]) if (joined.includes(worker.hostname as "worker1" | "worker2")) await joinWorker(worker);
  } catch (error) {
    await teardown();
    throw error;
  }
  const hostOf = (node: string) => {
    const host = all.find((candidate) => candidate.hostname === node || nodeIds.get(candidate) === node);
    if (!host) throw new Error(`no test host has node ${node}`);
    return host;
  };
  return { hosts, manager1, worker1, worker2, all, nodeIds, hostOf, join: joinWorker, teardown };
}

/** A GET on `host`'s Engine API socket; the parsed JSON, or an error with the daemon's words. */
export async function apiGet<T>(host: TestHost, path: string): Promise<T> {
  const response = await fetch(`http://shoal/v1.51${path}`, { unix: host.socket } as RequestInit);
  if (!response.ok) throw new Error(`GET ${path} on ${host.hostname}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Every task of `service` (name or ID) as the managers hold it, oldest first. */
export async function tasksOf(host: TestHost, service: string): Promise<Task[]> {
  const tasks = await apiGet<Task[]>(host, `/tasks?filters=${encodeURIComponent(JSON.stringify({ service: [service] }))}`);
  return tasks.sort((a, b) => Date.parse(a.CreatedAt) - Date.parse(b.CreatedAt));
}

/** The tasks of `service` that are desired running and running. */
export async function runningTasks(host: TestHost, service: string): Promise<Task[]> {
  return (await tasksOf(host, service)).filter((task) => task.DesiredState === "running" && task.Status.State === "running");
}

/** The names of every container on `host` (`docker ps -a` against its own daemon). */
export async function containerNames(host: TestHost): Promise<string[]> {
  return (await dockerOk(host, ["ps", "-a", "--format", "{{.Names}}"])).split("\n").filter(Boolean).sort();
}

/** The names of the running containers on `host`. */
export async function runningContainerNames(host: TestHost): Promise<string[]> {
  return (await dockerOk(host, ["ps", "--format", "{{.Names}}"])).split("\n").filter(Boolean).sort();
}

function parentOf(pid: number): number | undefined {
  try {
    // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return undefined;
  }
}

/**
 * Kills a host as a power cut would, with SIGKILL: its daemon, its conmon monitors (which name
 * the host's directory on their command line) and every process under them (the containers).
 * Resolves with how many processes were killed.
 */
export async function killHost(host: TestHost): Promise<number> {
  const marker = join(host.dataRoot, "..") + "/";
  const pids = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry)).map(Number);
  const roots = new Set<number>();
  for (const pid of pids) {
    try {
      if (pid !== process.pid && readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker)) roots.add(pid);
    } catch {
      // gone meanwhile
    }
  }
  const doomed = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const pid of pids) {
      const parent = parentOf(pid);
      if (parent !== undefined && doomed.has(parent) && !doomed.has(pid)) {
        doomed.add(pid);
        grew = true;
      }
    }
  }
  for (const pid of doomed) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  if (host.daemon) await host.daemon.exited;
  return doomed.size;
}
