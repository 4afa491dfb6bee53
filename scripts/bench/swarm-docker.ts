/**
 * Docker 20.10's swarm mode (Debian's docker.io: dockerd + its managed containerd) on namespace hosts
 * for the swarm benchmark, after shared/research/docker-swarm/lib.sh: each dockerd runs in its
 * host's network namespace with its own UTS namespace (hostname) and a private mount namespace in
 * which a tmpfs covers /run (containerd's and dockerd's run files stay private) and a per-host
 * directory covers /etc/docker (dockerd 20.10 writes its trust key there); data root, exec root,
 * pid file and API socket live under the host's directory. The 20.10 CLI (/usr/bin/docker) drives it.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestHosts, type TestHost } from "../../test/support/hosts.ts";
import { run } from "../../test/support/run.ts";
import { rssMiB } from "./stats.ts";
import type { SwarmCluster, SwarmHost } from "./swarm-cluster.ts";

const SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

/** The docker 20.10 CLI: Debian's /usr/bin/docker (a newer static CLI may come first in PATH). */
function dockerCli(): string {
  return existsSync("/usr/bin/docker") ? "/usr/bin/docker" : "docker";
}

/** Pids of the children of `parent` named `comm`. */
function childrenNamed(parent: number, comm: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent && name === comm) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false;
  }
}

async function pingDocker(socket: string): Promise<boolean> {
  try {
    return (await fetch("http://docker/_ping", { unix: socket, signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/** One dockerd (and the containerd it starts) on `host`, restartable on the same roots. */
class DockerDaemon {
  readonly root: string;
  readonly socket: string;
  #child: ReturnType<typeof Bun.spawn> | undefined;

  constructor(
    readonly host: TestHost,
    baseDir: string,
  ) {
    this.root = join(baseDir, host.hostname);
    this.socket = join(this.root, "docker.sock");
    mkdirSync(join(this.root, "etc"), { recursive: true });
    writeFileSync(join(this.root, "etc", "daemon.json"), "{}\n");
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const dockerd = Bun.which("dockerd", { PATH: SYSTEM_PATH })!;
    const logFd = openSync(join(this.root, "dockerd.log"), "a");
    const setup = 'hostname "$0" && mount -t tmpfs -o mode=755 tmpfs /run && mount --bind "$1" /etc/docker && shift && exec "$@"';
    this.#child = Bun.spawn(
      [
        "nsenter", `--net=/run/netns/${this.host.netns}`, "--",
        "unshare", "--uts", "--mount", "--propagation", "private", "--",
        "sh", "-c", setup, this.host.hostname, join(this.root, "etc"),
        dockerd,
        "--config-file", join(this.root, "etc", "daemon.json"),
        "--data-root", join(this.root, "data"),
        "--exec-root", join(this.root, "run"),
        "--pidfile", join(this.root, "dockerd.pid"),
        "-H", `unix://${this.socket}`,
      ],
      { stdout: logFd, stderr: logFd, env: { PATH: SYSTEM_PATH, DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: "1" } },
    );
    closeSync(logFd);
    const deadline = Date.now() + timeoutMs;
    while (!(await pingDocker(this.socket))) {
      const log = () => readFileSync(join(this.root, "dockerd.log"), "utf8").trim().split("\n").slice(-8).join("\n");
      if (this.#child.exitCode !== null) throw new Error(`dockerd on ${this.host.hostname} exited ${this.#child.exitCode}:\n${log()}`);
      if (Date.now() > deadline) throw new Error(`dockerd on ${this.host.hostname} did not answer within ${timeoutMs} ms:\n${log()}`);
      await Bun.sleep(50);
    }
  }

  /** dockerd and its containerd. */
  processes(): { dockerd?: number; containerd?: number } {
    const dockerd = this.#child && this.#child.exitCode === null ? this.#child.pid : undefined;
    return { dockerd, containerd: dockerd === undefined ? undefined : childrenNamed(dockerd, "containerd")[0] };
  }

  async kill(signal: "SIGTERM" | "SIGKILL", graceMs = 0): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null) return;
    const { containerd } = this.processes();
    process.kill(child.pid, signal);
    if (signal === "SIGKILL" && containerd !== undefined) process.kill(containerd, "SIGKILL");
    if (graceMs > 0 && !(await Promise.race([child.exited.then(() => true), Bun.sleep(graceMs).then(() => false)]))) return this.kill("SIGKILL");
    await child.exited;
    const deadline = Date.now() + 10_000;
    while (containerd !== undefined && alive(containerd) && Date.now() < deadline) await Bun.sleep(10);
  }
}

/** Whether this machine can run the Docker peer; the reason when not. */
export function dockerMissing(): string | undefined {
  if (!Bun.which("dockerd", { PATH: SYSTEM_PATH })) return "dockerd is not installed (make bench-deps installs Debian's docker.io)";
  if (!Bun.which("containerd", { PATH: SYSTEM_PATH })) return "containerd is not installed (make bench-deps installs Debian's docker.io)";
  return undefined;
}

/** Starts `hostnames.length` bare namespace hosts and a dockerd on each. */
export async function startDockerCluster(options: { cluster: string; subnet: number; hostnames: string[] }): Promise<SwarmCluster> {
  const baseDir = `/tmp/shoal-${options.cluster}`;
  const testHosts = await createTestHosts({ cluster: options.cluster, subnet: options.subnet, count: options.hostnames.length, hostnames: options.hostnames, daemons: false, baseDir });
  // /etc/docker must exist as a mount point; made (and removed afterwards) only when missing.
  const etcDockerMade = !existsSync("/etc/docker");
  if (etcDockerMade) mkdirSync("/etc/docker");
  const daemons = testHosts.hosts.map((host) => new DockerDaemon(host, baseDir));
  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    await Promise.all(daemons.map((daemon) => daemon.kill("SIGTERM", 15_000).catch(() => {})));
    await testHosts.teardown();
    if (etcDockerMade) {
      try {
        rmdirSync("/etc/docker");
      } catch {
        // something else put files there meanwhile
      }
    }
  };
  try {
    await Promise.all(daemons.map((daemon) => daemon.start()));
  } catch (error) {
    await teardown();
    throw error;
  }
  const cli = dockerCli();
  const version = (await (await fetch("http://docker/version", { unix: daemons[0]!.socket })).json()) as { Version: string };
  const hosts = daemons.map(
    (daemon): SwarmHost => ({
      hostname: daemon.host.hostname,
      address: daemon.host.address,
      netns: daemon.host.netns,
      cli: (args, timeoutMs) =>
        run(["nsenter", `--net=/run/netns/${daemon.host.netns}`, "--", cli, ...args], {
          timeoutMs,
          env: { DOCKER_HOST: `unix://${daemon.socket}`, DOCKER_CONFIG: join(baseDir, "docker-config") },
        }),
      crash: () => daemon.kill("SIGKILL"),
      restart: () => daemon.start(),
      rss() {
        const { dockerd, containerd } = daemon.processes();
        return { dockerd: dockerd === undefined ? Number.NaN : rssMiB(dockerd), containerd: containerd === undefined ? Number.NaN : rssMiB(containerd) };
      },
    }),
  );
  return { name: `docker ${version.Version.replace(/\+.*/, "")}`, hosts, teardown };
}
