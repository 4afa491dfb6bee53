/**
 * The demo: three hosts on this machine (network namespaces manager1, worker1, worker2 at
 * 10.99.0.11–13 on bridge shbr-demo), each running `shoal daemon`, then `shoal version` and
 * `shoal info` from each. The daemons keep running after this script ends.
 * Usage: bun scripts/demo.ts up|down
 */
import { createTestHosts, removeLeftovers } from "../test/support/hosts.ts";

const CLUSTER = "demo";
const BASE_DIR = "/var/lib/shoal-demo";
const command = process.argv[2] ?? "up";

if (command === "down") {
  await removeLeftovers(CLUSTER, BASE_DIR);
  console.log("demo hosts removed");
} else if (command === "up") {
  console.log("starting 3 hosts (network namespaces) with a shoal daemon each…");
  const { hosts } = await createTestHosts({ cluster: CLUSTER, subnet: 0, baseDir: BASE_DIR, detached: true });
  for (const host of hosts) {
    console.log(`\n===== ${host.hostname} (${host.address}, netns ${host.netns}) =====`);
    for (const args of [["version"], ["info"]]) {
      console.log(`${host.hostname}$ shoal ${args.join(" ")}`);
      const result = await host.shoal(args);
      process.stdout.write(result.stdout + result.stderr);
      if (result.exitCode !== 0) process.exitCode = 1;
    }
  }
  const first = hosts[0]!;
  console.log(`
The demo hosts keep running. To use one:
  dist/shoal -H unix://${first.socket} info
  DOCKER_HOST=unix://${first.socket} docker info
  nsenter --net=/run/netns/${first.netns} dist/shoal -H unix://${first.socket} version
Daemon logs: ${BASE_DIR}/<host>/daemon.log. Stop everything with: make demo-down`);
} else {
  console.error(`usage: bun scripts/demo.ts up|down (not ${JSON.stringify(command)})`);
  process.exit(2);
}
