/**
 * The demo swarm: three hosts on this machine (network namespaces manager1, worker1, worker2 at
 * 10.99.0.11–13 on bridge shbr-demo), each running `shoal daemon`; manager1 inits the swarm, the
 * workers join it with the worker token, and `shoal node ls` shows the three. The daemons keep
 * running after this script ends.
 * Usage: bun scripts/demo.ts up|down
 */
import { createTestHosts, removeLeftovers } from "../test/support/hosts.ts";

// Overridable so the demo's own test runs it beside a user's demo without touching it.
const CLUSTER = process.env.SHOAL_DEMO_CLUSTER ?? "demo";
const BASE_DIR = process.env.SHOAL_DEMO_BASE ?? "/var/lib/shoal-demo";
const SUBNET = Number(process.env.SHOAL_DEMO_SUBNET ?? 0);
const command = process.argv[2] ?? "up";

if (command === "down") {
  await removeLeftovers(CLUSTER, BASE_DIR);
  console.log("demo hosts removed");
} else if (command === "up") {
  console.log("starting 3 hosts (network namespaces) with a shoal daemon each…");
  const { hosts } = await createTestHosts({ cluster: CLUSTER, subnet: SUBNET, baseDir: BASE_DIR, detached: true });
  const step = async (host: (typeof hosts)[number], args: string[], quiet = false): Promise<string> => {
    if (!quiet) console.log(`${host.hostname}$ shoal ${args.join(" ")}`);
    const result = await host.shoal(args);
    if (!quiet) process.stdout.write(result.stdout + result.stderr);
    if (result.exitCode !== 0) {
      if (quiet) process.stderr.write(result.stderr);
      process.exitCode = 1;
    }
    return result.stdout.trim();
  };
  const [first, ...workers] = hosts as [(typeof hosts)[number], ...(typeof hosts)[number][]];
  for (const host of hosts) console.log(`${host.hostname}: ${host.address}, netns ${host.netns}, shoal daemon at ${host.socket}`);
  console.log("");
  await step(first, ["version"]);
  console.log("");
  await step(first, ["swarm", "init", "--advertise-addr", first.address]);
  const token = await step(first, ["swarm", "join-token", "-q", "worker"], true);
  for (const worker of workers) await step(worker, ["swarm", "join", "--token", token, `${first.address}:2377`]);
  console.log("");
  await step(first, ["node", "ls"]);
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
