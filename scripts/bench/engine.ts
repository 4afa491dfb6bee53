/**
 * Engine figures: shoal's daemon beside podman 4.3 (Debian's, runc + conmon, no daemon) and Docker
 * 20.10 (Debian's docker.io: dockerd + containerd + runc shims) in the same run, same busybox image:
 *   start latency of `busybox sleep 1000` with no network (create → running, median and p90 of 50
 *   sequential runs, the three interleaved), 50 concurrent create+start (wall time until all run),
 *   memory per container with 20 running (monitor RSS + daemon RSS growth, / 20), and pull
 *   throughput of a ~100 MiB 5-layer image of random bytes from Debian's docker-registry on loopback.
 * shoal and docker are driven through their Engine API on a unix socket; podman, which has no
 * daemon, through `podman run -d` processes. Everything runs on private roots under /tmp and is
 * removed at the end, also on failure or ^C.
 * Usage: bun scripts/bench/engine.ts [--quick] [--no-podman] [--no-docker] [path/to/shoal]
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startRegistry, type Registry } from "../../test/support/registry.ts";
import { startTestDaemon, type TestDaemon } from "../../test/support/test-daemon.ts";
import { busyboxArchive, pushBigImage } from "./engine-image.ts";
import { median, quantile, rssMiB } from "./stats.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const binary = resolve(args.find((arg) => !arg.startsWith("--")) ?? join(import.meta.dir, "../../dist/shoal"));
const SEQUENTIAL = quick ? 10 : 50;
const CONCURRENT = quick ? 10 : 50;
const RESIDENT = quick ? 5 : 20;
const PULLS = quick ? 1 : 3;
const LAYERS = 5;
const LAYER_BYTES = 20 * 1024 * 1024;
const IMAGE = "bench/busybox:1";
const COMMAND = ["busybox", "sleep", "1000"];
const ULIMITS = ["--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024"];

const dir = (() => {
  const path = `/tmp/shoal-enginebench-${process.pid}`;
  mkdirSync(path, { recursive: true });
  return path;
})();

// ---- cleanup: a stack of steps, run once, at the end or on a signal ---------------------------
const cleanups: (() => Promise<void> | void)[] = [];
let cleaned = false;
async function cleanup(): Promise<void> {
  if (cleaned) return;
  cleaned = true;
  for (const step of cleanups.reverse()) {
    try {
      await step();
    } catch (error) {
      console.error(`cleanup: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  killProcessesMentioning(dir);
  for (const target of mountsUnder(dir)) Bun.spawnSync(["umount", "-l", target], { stdout: "ignore", stderr: "ignore" });
  rmSync(dir, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`engine bench: ${signal}, cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}

// ---- processes ------------------------------------------------------------------------------
function processes(): { pid: number; comm: string; cmdline: string }[] {
  const found = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
      const comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      found.push({ pid: Number(entry), comm, cmdline });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** RSS (MiB) of the monitor processes (conmon, containerd-shim) of containers `ids`. */
function monitorRss(ids: string[]): { count: number; mib: number } {
  const wanted = new Set(ids);
  let count = 0;
  let mib = 0;
  for (const process of processes()) {
    if (!/^(conmon|containerd-shim)/.test(process.comm)) continue;
    const id = /(?:-c|-id) ([0-9a-f]{64})\b/.exec(process.cmdline)?.[1];
    if (!id || !wanted.has(id)) continue;
    try {
      mib += rssMiB(process.pid);
      count++;
    } catch {
      // exited
    }
  }
  return { count, mib };
}

function killProcessesMentioning(text: string): void {
  for (const process_ of processes()) {
    if (process_.pid === process.pid || !process_.cmdline.includes(text)) continue;
    try {
      process.kill(process_.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

function mountsUnder(path: string): string[] {
  return readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((target) => target.startsWith(`${path}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Parent cgroups the peers make on first use (docker's `docker`, podman's `libpod_parent` with
 * conmon's `conmon` inside): noted before, removed afterwards when this run made them and they are empty.
 */
function cgroupParents(name: string): string[] {
  const base = "/sys/fs/cgroup";
  if (!existsSync(base)) return [];
  const candidates = [join(base, name), ...readdirSync(base).map((controller) => join(base, controller, name))];
  return candidates.filter((path) => existsSync(path));
}
function removeCgroupTree(path: string): void {
  try {
    for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) removeCgroupTree(join(path, entry.name));
    rmdirSync(path);
  } catch {
    // still in use (by processes of someone else), or gone
  }
}
const cgroupsBefore = new Set([...cgroupParents("docker"), ...cgroupParents("libpod_parent")]);
cleanups.push(() => {
  for (const path of [...cgroupParents("docker"), ...cgroupParents("libpod_parent")]) if (!cgroupsBefore.has(path)) removeCgroupTree(path);
});

/** Kills and deletes what is left in a runc root (containers a killed engine left behind). */
function deleteRuncContainers(root: string): void {
  if (!existsSync(root)) return;
  const list = Bun.spawnSync(["runc", "--root", root, "list", "-q"], { stdout: "pipe", stderr: "ignore" });
  for (const id of list.stdout.toString().split("\n").filter(Boolean)) {
    Bun.spawnSync(["runc", "--root", root, "kill", id, "KILL"], { stdout: "ignore", stderr: "ignore" });
    Bun.spawnSync(["runc", "--root", root, "delete", "--force", id], { stdout: "ignore", stderr: "ignore" });
  }
}

async function runCommand(argv: string[], timeoutMs = 120_000): Promise<{ stdout: string; stderr: string; ms: number }> {
  const started = performance.now();
  const child = Bun.spawn(argv, { stdout: "pipe", stderr: "pipe", timeout: timeoutMs });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  const ms = performance.now() - started;
  if (code !== 0) throw new Error(`${argv.slice(0, 12).join(" ")} … exited ${code}: ${stderr.trim().slice(0, 500)}`);
  return { stdout, stderr, ms };
}

// ---- the engines behind one interface ---------------------------------------------------------
interface Engine {
  name: string;
  /** Creates and starts one `busybox sleep 1000` container, resolving when it runs; returns its full id. */
  start(): Promise<string>;
  remove(ids: string[]): Promise<void>;
  /** RSS (MiB) of the engine's long-lived processes (0 for podman: it has none). */
  daemonRss(): number;
  /** Pulls `reference`, resolving when it is complete; returns true when all layers were downloaded. */
  pull(reference: string): Promise<boolean>;
  removeImage(reference: string): Promise<void>;
}

/** An engine served over the Engine API on a unix socket (shoal, dockerd). */
function apiEngine(name: string, socket: string, daemonPids: () => number[]): Engine {
  const call = async (method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Response> => {
    const init: RequestInit & { unix: string } = { method, unix: socket };
    if (body !== undefined) {
      init.body = body instanceof Uint8Array ? body : JSON.stringify(body);
      init.headers = { "Content-Type": contentType };
    }
    return fetch(`http://localhost${path}`, init);
  };
  const expectOk = async (response: Response, what: string) => {
    if (!response.ok) throw new Error(`${name}: ${what}: ${response.status} ${await response.text()}`);
    return response;
  };
  return {
    name,
    async start() {
      const created = await expectOk(await call("POST", "/containers/create", { Image: IMAGE, Cmd: COMMAND, HostConfig: { NetworkMode: "none" } }), "create");
      const { Id: id } = (await created.json()) as { Id: string };
      await expectOk(await call("POST", `/containers/${id}/start`), "start");
      for (let attempt = 0; ; attempt++) {
        const state = ((await (await expectOk(await call("GET", `/containers/${id}/json`), "inspect")).json()) as { State: { Running: boolean; Status: string } }).State;
        if (state.Running) return id;
        if (attempt > 3000 || state.Status === "exited" || state.Status === "dead") throw new Error(`${name}: container ${id} is ${state.Status}, not running`);
        await Bun.sleep(1);
      }
    },
    async remove(ids) {
      await Promise.all(ids.map(async (id) => void (await expectOk(await call("DELETE", `/containers/${id}?force=1`), "remove")).body?.cancel()));
    },
    daemonRss: () => daemonPids().reduce((sum, pid) => sum + rssMiB(pid), 0),
    async pull(reference) {
      const [fromImage, tag] = [reference.slice(0, reference.lastIndexOf(":")), reference.slice(reference.lastIndexOf(":") + 1)];
      const response = await expectOk(await call("POST", `/images/create?fromImage=${encodeURIComponent(fromImage)}&tag=${tag}`), "pull");
      const text = await response.text();
      const error = /"error"\s*:\s*"([^"]*)"/.exec(text);
      if (error) throw new Error(`${name}: pull: ${error[1]}`);
      return !text.includes("Already exists");
    },
    async removeImage(reference) {
      const response = await call("DELETE", `/images/${reference}?force=1`);
      if (!response.ok && response.status !== 404) throw new Error(`${name}: image remove: ${response.status} ${await response.text()}`);
      await response.body?.cancel();
    },
  };
}

async function startShoal(): Promise<Engine> {
  const daemon: TestDaemon = await startTestDaemon({ binary, dir: join(dir, "shoal") });
  cleanups.push(async () => {
    const stopped = await Promise.race([daemon.stop("SIGTERM").then(() => true), Bun.sleep(20_000).then(() => false)]);
    if (!stopped) await daemon.stop("SIGKILL");
    deleteRuncContainers(join(daemon.execRoot, "runtime", "runc"));
  });
  const engine = apiEngine("shoal", daemon.socket, () => [daemon.daemon.pid]);
  const load = await fetch("http://localhost/images/load", { method: "POST", unix: daemon.socket, body: await busyboxArchive(IMAGE), headers: { "Content-Type": "application/x-tar" } });
  if (!load.ok) throw new Error(`shoal: image load: ${load.status} ${await load.text()}`);
  await load.text();
  return engine;
}

/** Docker 20.10's dockerd on private roots and socket, or the reason it cannot run here. */
async function startDocker(): Promise<Engine | string> {
  const dockerd = Bun.which("dockerd", { PATH: `/usr/sbin:/usr/bin:${process.env.PATH}` });
  if (!dockerd) return "dockerd is not installed (make bench-deps installs Debian's docker.io)";
  const root = join(dir, "docker");
  const execRoot = join(root, "run");
  mkdirSync(execRoot, { recursive: true });
  writeFileSync(join(root, "daemon.json"), "{}\n");
  const socket = join(root, "docker.sock");
  // dockerd 20.10 writes its trust key to /etc/docker/key.json and its shims their sockets under
  // /run/containerd/s: remove those afterwards when they were not there before.
  const keyExisted = existsSync("/etc/docker/key.json");
  const runContainerdExisted = existsSync("/run/containerd");
  const logFd = openSync(join(root, "dockerd.log"), "a");
  const child = Bun.spawn(
    [
      dockerd,
      "--config-file", join(root, "daemon.json"),
      "--data-root", join(root, "data"),
      "--exec-root", execRoot,
      "--pidfile", join(root, "docker.pid"),
      "-H", `unix://${socket}`,
      "--bridge", "none",
      "--iptables=false",
      "--ip-masq=false",
      "--userland-proxy=false",
      "--exec-opt", "native.cgroupdriver=cgroupfs",
      "--default-ulimit", "nofile=1024:1024",
      "--default-ulimit", "nproc=1024:1024",
      "--log-level", "warn",
    ],
    { stdout: logFd, stderr: logFd, env: { ...process.env, PATH: `/usr/sbin:/usr/bin:/sbin:/bin` } },
  );
  closeSync(logFd);
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      const stopped = await Promise.race([child.exited.then(() => true), Bun.sleep(20_000).then(() => false)]);
      if (!stopped) child.kill("SIGKILL");
      await child.exited;
    }
    killProcessesMentioning(root);
    for (const target of mountsUnder(root)) Bun.spawnSync(["umount", "-l", target], { stdout: "ignore", stderr: "ignore" });
    if (!keyExisted) rmSync("/etc/docker/key.json", { force: true });
    if (!runContainerdExisted) {
      for (const path of ["/run/containerd/runc/moby", "/run/containerd/runc", "/run/containerd/s", "/run/containerd"]) {
        try {
          rmdirSync(path);
        } catch {
          // not there, or something else uses it now
        }
      }
    }
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch("http://localhost/_ping", { unix: socket, signal: AbortSignal.timeout(1000) })).ok) break;
    } catch {
      // not up yet
    }
    const log = () => readFileSync(join(root, "dockerd.log"), "utf8").trim().split("\n").slice(-5).join("\n");
    if (child.exitCode !== null) return `dockerd exited ${child.exitCode}: ${log()}`;
    if (Date.now() > deadline) return `dockerd did not answer within 30 s: ${log()}`;
    await Bun.sleep(50);
  }
  const version = (await (await fetch("http://localhost/version", { unix: socket })).json()) as { Version: string };
  const containerdPid = () => processes().find((process_) => process_.comm === "containerd" && process_.cmdline.includes(execRoot))?.pid;
  const engine = apiEngine(`docker ${version.Version.replace(/\+.*/, "")}`, socket, () => [child.pid, containerdPid()].filter((pid): pid is number => pid !== undefined));
  const load = await fetch("http://localhost/images/load", { method: "POST", unix: socket, body: await busyboxArchive(IMAGE), headers: { "Content-Type": "application/x-tar" } });
  if (!load.ok) return `docker image load failed: ${load.status} ${await load.text()}`;
  await load.text();
  try {
    await engine.remove([await engine.start()]);
  } catch (error) {
    return `dockerd runs but cannot start a container: ${error instanceof Error ? error.message : String(error)}`;
  }
  return engine;
}

/** Podman with private storage, run state and runc root; each operation a `podman` process. */
async function startPodman(): Promise<Engine | string> {
  if (!Bun.which("podman")) return "podman is not installed (make bench-deps installs it)";
  const root = join(dir, "podman");
  mkdirSync(root, { recursive: true });
  const podman = [
    "podman",
    "--root", join(root, "storage"),
    "--runroot", join(root, "run"),
    "--tmpdir", join(root, "tmp"),
    "--runtime", "/usr/sbin/runc",
    "--runtime-flag", `root=${join(root, "runc")}`,
    "--cgroup-manager", "cgroupfs",
    "--events-backend", "file",
  ];
  cleanups.push(async () => {
    await runCommand([...podman, "rm", "-af", "-t", "0"]).catch(() => {});
    await runCommand([...podman, "rmi", "-af"]).catch(() => {});
    deleteRuncContainers(join(root, "runc"));
    killProcessesMentioning(root);
    for (const target of mountsUnder(root)) Bun.spawnSync(["umount", "-l", target], { stdout: "ignore", stderr: "ignore" });
  });
  writeFileSync(join(root, "busybox.tar"), await busyboxArchive(IMAGE));
  await runCommand([...podman, "load", "-i", join(root, "busybox.tar")]);
  const engine: Engine = {
    name: "podman",
    async start() {
      const { stdout } = await runCommand([...podman, "run", "-d", "--network", "none", ...ULIMITS, IMAGE, ...COMMAND]);
      return stdout.trim().split("\n").at(-1)!;
    },
    async remove(ids) {
      if (ids.length > 0) await runCommand([...podman, "rm", "-f", "-t", "0", ...ids]);
    },
    daemonRss: () => 0,
    async pull(reference) {
      const { stderr } = await runCommand([...podman, "pull", "--tls-verify=false", reference], 600_000);
      return !/already exists/i.test(stderr);
    },
    async removeImage(reference) {
      await runCommand([...podman, "rmi", "-f", reference]).catch(() => {});
    },
  };
  try {
    await engine.remove([await engine.start()]);
  } catch (error) {
    return `podman cannot start a container here: ${error instanceof Error ? error.message : String(error)}`;
  }
  return engine;
}

// ---- workloads ------------------------------------------------------------------------------
type Figures = Record<string, number>;

/** Sequential start latency, the engines interleaved run by run so they see the same machine load. */
async function sequentialStarts(engines: Engine[], figures: Map<string, Figures>): Promise<void> {
  const times = new Map(engines.map((engine) => [engine.name, [] as number[]]));
  for (const engine of engines) for (let warm = 0; warm < 3; warm++) await engine.remove([await engine.start()]);
  for (let run = 0; run < SEQUENTIAL; run++) {
    for (const engine of engines) {
      const started = performance.now();
      const id = await engine.start();
      times.get(engine.name)!.push(performance.now() - started);
      await engine.remove([id]);
    }
  }
  for (const engine of engines) {
    const list = times.get(engine.name)!;
    Object.assign(figures.get(engine.name)!, { startP50: median(list), startP90: quantile(list, 0.9) });
  }
}

async function concurrentStarts(engine: Engine, figures: Figures): Promise<void> {
  const started = performance.now();
  const results = await Promise.allSettled(Array.from({ length: CONCURRENT }, () => engine.start()));
  figures.concurrent = performance.now() - started;
  const ids = results.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  await engine.remove(ids);
  const failed = results.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) {
    figures.concurrentFailed = results.length - ids.length;
    problems.push(`${engine.name}: ${figures.concurrentFailed} of ${CONCURRENT} concurrent starts failed (wall time is of the others), first: ${failed.reason instanceof Error ? failed.reason.message : String(failed.reason)}`);
  }
}

/** Runs one workload of one engine; a failure is noted and the run goes on with the next. */
async function attempt(engine: Engine, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    problems.push(`${engine.name}: ${what} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function memoryPerContainer(engine: Engine, figures: Figures): Promise<void> {
  await Bun.sleep(2000);
  const before = engine.daemonRss();
  const ids: string[] = [];
  try {
    for (let index = 0; index < RESIDENT; index++) ids.push(await engine.start());
    await Bun.sleep(3000);
    const monitors = monitorRss(ids);
    if (monitors.count !== RESIDENT) console.error(`${engine.name}: found ${monitors.count} monitor processes for ${RESIDENT} containers`);
    const growth = engine.daemonRss() - before;
    figures.monitorPer = monitors.mib / RESIDENT;
    figures.daemonGrowthPer = growth / RESIDENT;
    figures.memoryPer = (monitors.mib + growth) / RESIDENT;
  } finally {
    await engine.remove(ids);
  }
}

/** Pull throughput, the engines interleaved run by run; the image is removed before each pull. */
async function pulls(engines: Engine[], reference: string, bytes: number, figures: Map<string, Figures>): Promise<void> {
  const rates = new Map(engines.map((engine) => [engine.name, [] as number[]]));
  const failed = new Set<string>();
  for (let run = 0; run < PULLS; run++) {
    for (const engine of engines) {
      if (failed.has(engine.name)) continue;
      await attempt(engine, "pull", async () => {
        try {
          await engine.removeImage(reference);
          const started = performance.now();
          const fresh = await engine.pull(reference);
          const seconds = (performance.now() - started) / 1000;
          if (!fresh) console.error(`${engine.name}: pull ${run + 1} found layers already present (the figure is too good)`);
          rates.get(engine.name)!.push(bytes / 1e6 / seconds);
          await engine.removeImage(reference);
        } catch (error) {
          failed.add(engine.name);
          throw error;
        }
      });
    }
  }
  for (const engine of engines) if (!failed.has(engine.name)) figures.get(engine.name)!.pull = median(rates.get(engine.name)!);
}

// ---- the run ---------------------------------------------------------------------------------
const figures = new Map<string, Figures>();
const skipped: string[] = [];
const problems: string[] = [];
let names = { podman: "podman", docker: "docker" };
let imageBytes = 0;
try {
  const existing = Bun.spawnSync(["docker", "version", "--format", "{{.Server.Version}}"], { stdout: "pipe", stderr: "pipe", env: { ...process.env, DOCKER_HOST: undefined } });
  if (existing.exitCode === 0) console.log(`(a docker daemon ${existing.stdout.toString().trim()} runs on this machine; it is left alone, the benchmark starts its own dockerd on private roots)`);

  const engines: Engine[] = [await startShoal()];
  if (!args.includes("--no-podman")) {
    const podman = await startPodman();
    if (typeof podman === "string") skipped.push(`podman: ${podman}`);
    else engines.push(podman);
  }
  if (!args.includes("--no-docker")) {
    const docker = await startDocker();
    if (typeof docker === "string") skipped.push(`docker: ${docker}`);
    else {
      engines.push(docker);
      names.docker = docker.name;
    }
  }
  for (const engine of engines) figures.set(engine.name, {});

  await sequentialStarts(engines, figures);
  for (const engine of engines) await attempt(engine, "concurrent starts", () => concurrentStarts(engine, figures.get(engine.name)!));
  for (const engine of engines) await attempt(engine, "memory per container", () => memoryPerContainer(engine, figures.get(engine.name)!));

  const registryDir = join(dir, "registry");
  const registry: Registry = await startRegistry(registryDir);
  cleanups.push(() => registry.stop());
  imageBytes = await pushBigImage(registry.address, "bench/big", "1", LAYERS, LAYER_BYTES);
  await pulls(engines, `${registry.address}/bench/big:1`, imageBytes, figures);
} catch (error) {
  process.exitCode = 1;
  console.error(`engine bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await cleanup();
}

// ---- the table -------------------------------------------------------------------------------
const ours = figures.get("shoal") ?? {};
const podmanFigures = figures.get("podman") ?? {};
const dockerFigures = figures.get(names.docker) ?? {};
const cell = (value: number | undefined, digits: number) => (value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits));
const failedMark = (engineFigures: Figures, key: string) => (key === "concurrent" && (engineFigures.concurrentFailed ?? 0) > 0 ? "!" : "");
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !Number.isFinite(a / b) || b === 0 ? "n/a" : `${(a / b).toFixed(2)}×`);
const rows: [string, string, number][] = [
  [`start latency, median of ${SEQUENTIAL} (ms)`, "startP50", 1],
  [`start latency, p90 of ${SEQUENTIAL} (ms)`, "startP90", 1],
  [`${CONCURRENT} concurrent starts, wall (ms)`, "concurrent", 0],
  [`memory per container, ${RESIDENT} running (MiB)`, "memoryPer", 2],
  ["  of which monitor RSS (conmon / shim)", "monitorPer", 2],
  ["  of which daemon RSS growth", "daemonGrowthPer", 2],
  [`pull ${(imageBytes / 1e6).toFixed(0)} MB, ${LAYERS} layers, median of ${PULLS} (MB/s)`, "pull", 1],
];
/** Goals: start figures ≤ podman's and ≤ half of docker's; memory per container ≤ podman's. */
const goal = (key: string): [string, string] => {
  const a = ours[key];
  if (key === "concurrent" && (ours.concurrentFailed ?? 0) > 0) return ["≤ podman, ≤ ½ docker", `no (${ours.concurrentFailed} of ${CONCURRENT} failed)`];
  if (key === "startP50" || key === "concurrent") {
    const p = podmanFigures[key];
    const d = dockerFigures[key];
    if (a === undefined || p === undefined || d === undefined) return ["≤ podman, ≤ ½ docker", "n/a"];
    return ["≤ podman, ≤ ½ docker", a <= p && a <= d / 2 ? "yes" : "no"];
  }
  if (key === "memoryPer") {
    const p = podmanFigures[key];
    return ["≤ podman", a === undefined || p === undefined ? "n/a" : a <= p ? "yes" : "no"];
  }
  return ["", ""];
};
console.log(`# engine: shoal vs ${names.podman} 4.3 (runc + conmon) vs ${names.docker} (dockerd + containerd), busybox sleep 1000, no network, same run`);
console.log(`${"metric".padEnd(46)} ${"shoal".padStart(9)} ${"podman".padStart(9)} ${"docker".padStart(9)} ${"s/podman".padStart(9)} ${"s/docker".padStart(9)}   goal`);
for (const [label, key, digits] of rows) {
  const [goalText, met] = goal(key);
  console.log(
    `${label.padEnd(46)} ${(cell(ours[key], digits) + failedMark(ours, key)).padStart(9)} ${(cell(podmanFigures[key], digits) + failedMark(podmanFigures, key)).padStart(9)} ${(cell(dockerFigures[key], digits) + failedMark(dockerFigures, key)).padStart(9)} ${ratio(ours[key], podmanFigures[key]).padStart(9)} ${ratio(ours[key], dockerFigures[key]).padStart(9)}   ${goalText}${met ? ` — met: ${met}` : ""}`,
  );
}
console.log("(shoal and docker: Engine API over their unix socket; podman: `podman run -d` processes, its start-up included, and no daemon: its memory is conmon RSS only)");
for (const reason of skipped) console.log(`skipped ${reason}`);
for (const problem of problems) console.log(`problem: ${problem}`);
if (problems.length > 0) process.exitCode = 1;
process.exit(process.exitCode ?? 0);
