/**
 * A three-host swarm for the service suites: manager1 inits, worker1 and worker2 join with the
 * worker token, and every host gets the test busybox images through `docker load` (the hosts have
 * no registry and no internet). The images hold the static busybox with only `sh` linked, so a
 * service runs `busybox sleep …`, not `sleep …`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
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
  /** Node ID of each host. */
  readonly nodeIds: Map<TestHost, string>;
  /** The host whose node has this ID or hostname. */
  hostOf(node: string): TestHost;
  /** Leaves and tears everything down (safe to call twice). */
  teardown(): Promise<void>;
}

/** Loads {@link IMAGE_V1} and {@link IMAGE_V2} into `host`'s image store with `docker load`. */
export async function loadTestImages(host: TestHost, dir: string): Promise<void> {
  const archives: string[] = [];
  for (const [tag, cmd] of [
    [IMAGE_V1, ["sh", "-c", "echo v1"]],
    [IMAGE_V2, ["sh", "-c", "echo v2"]],
  ] as const) {
    const image = await busyboxImage([...cmd]);
    const archive = join(dir, `${tag.replace(/[/:]/g, "-")}.tar`);
    writeFileSync(archive, await dockerSaveArchive([tag], image.config, image.layer));
    archives.push(archive);
  }
  for (const archive of archives) await dockerOk(host, ["load", "-i", archive]);
}

/** Makes three hosts (manager1, worker1, worker2), forms the swarm and loads the test images everywhere. */
export async function createServiceSwarm(cluster: string, subnet: number, options: { detached?: boolean } = {}): Promise<ServiceSwarm> {
  const hosts = await createTestHosts({ cluster, subnet, count: 3, detached: options.detached });
  const [manager1, worker1, worker2] = hosts.hosts as [TestHost, TestHost, TestHost];
  const all = [manager1, worker1, worker2];
  const teardown = async () => {
    for (const host of [...all].reverse()) await host.docker(["swarm", "leave", "--force"], { timeoutMs: 20_000 }).catch(() => {});
    await hosts.teardown();
  };
  try {
    await Promise.all(all.map((host) => loadTestImages(host, join(host.dataRoot, ".."))));
    await dockerOk(manager1, ["swarm", "init", "--advertise-addr", manager1.address]);
    const token = await dockerOk(manager1, ["swarm", "join-token", "-q", "worker"]);
    for (const worker of [worker1, worker2]) await dockerOk(worker, ["swarm", "join", "--token", token, `${manager1.address}:2377`]);
    const nodeIds = new Map<TestHost, string>();
    for (const host of all) nodeIds.set(host, await dockerOk(host, ["info", "--format", "{{.Swarm.NodeID}}"]));
    const hostOf = (node: string) => {
      const host = all.find((candidate) => candidate.hostname === node || nodeIds.get(candidate) === node);
      if (!host) throw new Error(`no test host has node ${node}`);
      return host;
    };
    return { hosts, manager1, worker1, worker2, all, nodeIds, hostOf, teardown };
  } catch (error) {
    await teardown();
    throw error;
  }
}
