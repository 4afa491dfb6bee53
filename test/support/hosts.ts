/**
 * Test hosts: N "machines" on this one, each a network namespace with its own address, data root,
 * exec root, hostname and `shoal daemon`, joined by a bridge in the root namespace:
 *
 *   root ns: bridge shbr-<cluster> 10.99.<subnet>.1/24
 *     └─ veth shv-<cluster>-<i>  ⇄  eth0 10.99.<subnet>.(10+i)/24 in netns shoal-<cluster>-<i>
 *
 * Daemons start with `nsenter --net=…` (not `ip netns exec`, which hides the cgroup mounts) plus a
 * private UTS namespace for the hostname. Everything is torn down on teardown, and every run first
 * removes what an earlier, crashed run left behind. Only these addresses and loopback are used.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { shoalBinary } from "./binary.ts";
import { startDaemonProcess, waitForDaemon, type DaemonProcess } from "./daemon-process.ts";
import { run, runOk, runQuiet, type CommandResult, type RunOptions } from "./run.ts";

/** Options of {@link createTestHosts}. */
export interface TestHostsOptions {
  /** Short tag (letters/digits, ≤ 6) that names the namespaces, bridge and veths of this set. */
  cluster: string;
  /** Third octet of the hosts' subnet: hosts are 10.99.<subnet>.11, .12, … */
  subnet: number;
  /** Hostnames, one per host (default manager1, worker1, worker2, …). */
  hostnames?: string[];
  count?: number;
  /** Where data and exec roots go (default /tmp/shoal-<cluster>). */
  baseDir?: string;
  /** Leave the daemons running when this process exits (the demo). */
  detached?: boolean;
  /** Extra `shoal daemon` flags. */
  daemonArgs?: string[];
  /** Start a shoal daemon on each host (default true); without, hosts are bare namespaces. */
  daemons?: boolean;
}

/** One test host. */
export interface TestHost {
  readonly index: number;
  readonly hostname: string;
  readonly netns: string;
  readonly address: string;
  readonly dataRoot: string;
  readonly execRoot: string;
  readonly socket: string;
  /** The host's daemon (null on bare hosts). */
  daemon: DaemonProcess | null;
  /** Runs `shoal <args>` on this host (in its network namespace, against its daemon). */
  shoal(args: string[], options?: RunOptions): Promise<CommandResult>;
  /** Runs the real `docker <args>` on this host against its shoal daemon. */
  docker(args: string[], options?: RunOptions): Promise<CommandResult>;
  /** Runs any command inside this host's network namespace. */
  exec(argv: string[], options?: RunOptions): Promise<CommandResult>;
  /** Stops the host's daemon with `signal`; resolves with its exit code. */
  stopDaemon(signal: "SIGTERM" | "SIGKILL"): Promise<number>;
  /** Starts the host's daemon again (same roots, namespace and hostname) and waits until it answers. */
  startDaemon(timeoutMs?: number): Promise<void>;
}

/** A set of test hosts and their bridge. */
export interface TestHosts {
  readonly hosts: TestHost[];
  readonly bridge: string;
  readonly gateway: string;
  /** Stops every daemon and removes namespaces, links, mounts and files; safe to call twice. */
  teardown(): Promise<void>;
}

const DEFAULT_HOSTNAMES = ["manager1", "worker1", "worker2", "worker3", "worker4", "worker5", "worker6", "worker7"];

/** Names of the kernel objects of one cluster tag. */
export function clusterNames(cluster: string) {
  if (!/^[a-z0-9]{1,6}$/.test(cluster)) throw new Error(`cluster tag ${JSON.stringify(cluster)} must be 1–6 lowercase letters or digits`);
  return {
    bridge: `shbr-${cluster}`,
    netnsPrefix: `shoal-${cluster}-`,
    vethPrefix: `shv-${cluster}-`,
    netns: (index: number) => `shoal-${cluster}-${index}`,
    veth: (index: number) => `shv-${cluster}-${index}`,
  };
}

function processesUsing(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cmdline.includes(marker)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function killAndWait(pids: number[]): Promise<void> {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + 5000;
  while (pids.some((pid) => existsSync(`/proc/${pid}`) && !isZombie(pid)) && Date.now() < deadline) await Bun.sleep(10);
}

function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}

function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(dir + "/"))
    .sort((a, b) => b.length - a.length);
}

/** IDs of the containers the hosts' engines recorded (`<baseDir>/<host>/data/engine/containers/<id>`). */
function containerIdsUnder(baseDir: string): string[] {
  if (!existsSync(baseDir)) return [];
  return readdirSync(baseDir).flatMap((host) => {
    const dir = join(baseDir, host, "data", "engine", "containers");
    return existsSync(dir) ? readdirSync(dir).filter((id) => /^[0-9a-f]{64}$/.test(id)) : [];
  });
}

/**
 * Removes everything a set of hosts with this tag may have left: processes in its namespaces or
 * using its directory, the namespaces, the bridge and veths, mounts under its directory, the directory.
 */
export async function removeLeftovers(cluster: string, baseDir = `/tmp/shoal-${cluster}`): Promise<void> {
  const names = clusterNames(cluster);
  const namespaces = runQuiet(["ip", "netns", "list"])
    .stdout.split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith(names.netnsPrefix));
  // With the trailing slash: the tag "abc" must not match the processes of a set tagged "abc2".
  const pids = new Set(processesUsing(`${baseDir}/`));
  for (const netns of namespaces) {
    for (const pid of runQuiet(["ip", "netns", "pids", netns]).stdout.split("\n").filter(Boolean)) pids.add(Number(pid));
  }
  // The daemons' containers outlive them (conmon keeps them, as a restarted daemon re-adopts them):
  // their network namespaces, bind-mounted under /run/netns, go with the hosts.
  const containerNamespaces = containerIdsUnder(baseDir)
    .map((id) => `shoal-${id.slice(0, 12)}`)
    .filter((netns) => existsSync(`/run/netns/${netns}`));
  for (const netns of containerNamespaces) {
    for (const pid of runQuiet(["ip", "netns", "pids", netns]).stdout.split("\n").filter(Boolean)) pids.add(Number(pid));
  }
  await killAndWait([...pids]);
  for (const netns of [...namespaces, ...containerNamespaces]) runQuiet(["ip", "netns", "delete", netns]);
  const links = runQuiet(["ip", "-o", "link", "show"])
    .stdout.split("\n")
    .map((line) => (line.split(": ")[1] ?? "").split("@")[0] ?? "")
    .filter((name) => name === names.bridge || name.startsWith(names.vethPrefix));
  for (const link of links) runQuiet(["ip", "link", "delete", link]);
  if (existsSync(baseDir)) {
    for (const mountPoint of mountsUnder(baseDir)) runQuiet(["umount", "-l", mountPoint]);
    rmSync(baseDir, { recursive: true, force: true });
  }
}

/** Makes the hosts, starts a daemon on each and waits until all of them answer. */
export async function createTestHosts(options: TestHostsOptions): Promise<TestHosts> {
  const count = options.count ?? 3;
  const names = clusterNames(options.cluster);
  const baseDir = options.baseDir ?? `/tmp/shoal-${options.cluster}`;
  const prefix = `10.99.${options.subnet}`;
  const gateway = `${prefix}.1`;
  const binary = await shoalBinary();
  await removeLeftovers(options.cluster, baseDir);
  mkdirSync(baseDir, { recursive: true });

  const hosts: TestHost[] = [];
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    const daemons = hosts.flatMap((host) => (host.daemon ? [host.daemon] : []));
    for (const daemon of daemons) {
      try {
        process.kill(daemon.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
    await Promise.race([Promise.all(daemons.map((daemon) => daemon.exited)), Bun.sleep(5000)]);
    await removeLeftovers(options.cluster, baseDir);
  };

  try {
    await runOk(["ip", "link", "add", names.bridge, "type", "bridge"]);
    await runOk(["ip", "addr", "add", `${gateway}/24`, "dev", names.bridge]);
    await runOk(["ip", "link", "set", names.bridge, "up"]);

    for (let index = 1; index <= count; index++) {
      const netns = names.netns(index);
      const veth = names.veth(index);
      const address = `${prefix}.${10 + index}`;
      const hostname = options.hostnames?.[index - 1] ?? DEFAULT_HOSTNAMES[index - 1] ?? `host${index}`;
      await runOk(["ip", "netns", "add", netns]);
      await runOk(["ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", netns]);
      await runOk(["ip", "link", "set", veth, "master", names.bridge, "up"]);
      await runOk(["ip", "-n", netns, "addr", "add", `${address}/24`, "dev", "eth0"]);
      await runOk(["ip", "-n", netns, "link", "set", "eth0", "up"]);
      await runOk(["ip", "-n", netns, "link", "set", "lo", "up"]);
      await runOk(["ip", "-n", netns, "route", "add", "default", "via", gateway]);

      const root = join(baseDir, hostname);
      const dataRoot = join(root, "data");
      const execRoot = join(root, "run");
      mkdirSync(root, { recursive: true });
      const inNetns = ["nsenter", `--net=/run/netns/${netns}`, "--"];
      const dockerConfig = join(baseDir, "docker-config");
      const startDaemon = () =>
        startDaemonProcess({
          binary,
          dataRoot,
          execRoot,
          logFile: join(root, "daemon.log"),
          prefix: [...inNetns, "unshare", "--uts", "--", "sh", "-c", 'hostname "$0" && exec "$@"', hostname],
          extraArgs: options.daemonArgs,
          detached: options.detached,
        });
      const host: TestHost = {
        index,
        hostname,
        netns,
        address,
        dataRoot,
        execRoot,
        socket: join(execRoot, "shoal.sock"),
        daemon: options.daemons === false ? null : startDaemon(),
        exec: (argv, runOptions) => run([...inNetns, ...argv], runOptions),
        shoal: (args, runOptions) => run([...inNetns, binary, "-H", `unix://${join(execRoot, "shoal.sock")}`, ...args], runOptions),
        docker: (args, runOptions) =>
          run([...inNetns, "docker", ...args], {
            ...runOptions,
            env: { DOCKER_HOST: `unix://${join(execRoot, "shoal.sock")}`, DOCKER_CONFIG: dockerConfig, ...runOptions?.env },
          }),
        async stopDaemon(signal) {
          const daemon = host.daemon!;
          if (!daemon.hasExited()) process.kill(daemon.pid, signal);
          return daemon.exited;
        },
        async startDaemon(timeoutMs) {
          host.daemon = startDaemon();
          await waitForDaemon(host.daemon, timeoutMs);
        },
      };
      hosts.push(host);
    }
    await Promise.all(hosts.flatMap((host) => (host.daemon ? [waitForDaemon(host.daemon)] : [])));
  } catch (error) {
    await teardown();
    throw error;
  }
  return { hosts, bridge: names.bridge, gateway, teardown };
}
