/** shoal on namespace test hosts (test/support/hosts.ts), for the swarm benchmark. */
import { createTestHosts } from "../../test/support/hosts.ts";
import { rssMiB } from "./stats.ts";
import type { SwarmCluster, SwarmHost } from "./swarm-cluster.ts";

/** Starts `hostnames.length` hosts, each with its own `shoal daemon` (the binary in SHOAL_BINARY, else dist/shoal). */
export async function startShoalCluster(options: { cluster: string; subnet: number; hostnames: string[] }): Promise<SwarmCluster> {
  const testHosts = await createTestHosts({ cluster: options.cluster, subnet: options.subnet, count: options.hostnames.length, hostnames: options.hostnames });
  const hosts = testHosts.hosts.map(
    (host): SwarmHost => ({
      hostname: host.hostname,
      address: host.address,
      netns: host.netns,
      cli: (args, timeoutMs) => host.shoal(args, { timeoutMs }),
      async crash() {
        await host.stopDaemon("SIGKILL");
      },
      restart: () => host.startDaemon(30_000),
      rss: () => ({ shoal: rssMiB(host.daemon!.pid) }),
    }),
  );
  return { name: "shoal", hosts, teardown: () => testHosts.teardown() };
}
