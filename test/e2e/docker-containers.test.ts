/**
 * The real docker CLI runs containers on shoal: run -d / foreground / --rm, ps, logs (-f, --tail,
 * -t), exec (exit codes, stdin, a TTY through `script`), inspect, stop/start/restart/rm, restart
 * policies, events, and a daemon restart that re-adopts running containers whose logs go on.
 */
import { beforeAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { TEST_IMAGE, useDockerTestDaemon } from "../support/docker-test-daemon.ts";
import type { TestDaemon } from "../support/test-daemon.ts";

const IMAGE = TEST_IMAGE;
const TICKER = ["sh", "-c", "echo started; i=0; while true; do i=$((i+1)); echo line $i; busybox sleep 0.1; done"];
const fixture = useDockerTestDaemon();
let daemon: TestDaemon;
beforeAll(() => {
  daemon = fixture.current();
});

async function docker(args: string[], options: { stdin?: string; timeoutMs?: number } = {}) {
  return daemon.docker(args, { timeoutMs: 30_000, ...options });
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

test("docker run -d, ps, logs, logs --tail -t, inspect", async () => {
  const run = await docker(["run", "-d", "--name", "ticker", "--label", "suite=containers", IMAGE, ...TICKER]);
  expect(run.stderr).toBe("");
  const id = run.stdout.trim();
  expect(id).toMatch(/^[0-9a-f]{64}$/);
  const ps = await docker(["ps", "--format", "{{.ID}} {{.Names}} {{.Image}} {{.Status}}"]);
  expect(ps.stdout.trim()).toMatch(new RegExp(`^${id.slice(0, 12)} ticker ${IMAGE} Up `));
  await eventually(async () => (await docker(["logs", "ticker"])).stdout.includes("line 3"), "three log lines");
  const logs = await docker(["logs", "ticker"]);
  expect(logs.stdout.split("\n").slice(0, 3)).toEqual(["started", "line 1", "line 2"]);
  const tail = await docker(["logs", "--tail", "2", "-t", "ticker"]);
  const tailLines = tail.stdout.trim().split("\n");
  expect(tailLines.length).toBe(2);
  for (const line of tailLines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line \d+$/);
  const inspect = await docker(["inspect", "-f", "{{.Id}} {{.State.Status}} {{.State.Running}} {{.Config.Image}} {{.Name}} {{index .Config.Labels \"suite\"}}", "ticker"]);
  expect(inspect.stdout.trim()).toBe(`${id} running true ${IMAGE} /ticker containers`);
  const filtered = await docker(["ps", "-q", "--no-trunc", "--filter", "label=suite=containers"]);
  expect(filtered.stdout.trim()).toBe(id);
  const info = await docker(["info", "--format", "{{.Containers}} {{.ContainersRunning}} {{.DefaultRuntime}} {{.LiveRestoreEnabled}}"]);
  const runtime = existsSync("/sys/fs/cgroup/cgroup.controllers") && existsSync("/usr/bin/crun") ? "crun" : "runc";
  expect(info.stdout.trim()).toBe(`1 1 ${runtime} true`);
}, 60_000);

test("docker logs -f streams new lines as they are written", async () => {
  const follow = Bun.spawn(["docker", "logs", "-f", "--tail", "1", "ticker"], {
    env: { ...process.env, DOCKER_HOST: `unix://${daemon.socket}` },
    stdout: "pipe",
  });
  const reader = follow.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 10_000;
  while (text.split("\n").length < 6 && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  follow.kill();
  const numbers = text.trim().split("\n").map((line) => Number(line.replace("line ", "")));
  expect(numbers.length).toBeGreaterThanOrEqual(5);
  for (let i = 1; i < numbers.length; i++) expect(numbers[i]).toBe(numbers[i - 1]! + 1);
}, 30_000);

test("docker exec: exit codes, stdout and stderr, stdin, a TTY with its size, a missing command", async () => {
  const plain = await docker(["exec", "ticker", "sh", "-c", "echo out; echo err >&2; exit 4"]);
  expect([plain.exitCode, plain.stdout, plain.stderr]).toEqual([4, "out\n", "err\n"]);
  const piped = await docker(["exec", "-i", "ticker", "busybox", "cat"], { stdin: "through stdin\n" });
  expect([piped.exitCode, piped.stdout]).toEqual([0, "through stdin\n"]);
  const env = await docker(["exec", "-e", "GREETING=hi", "-w", "/bin", "ticker", "sh", "-c", "echo $GREETING $(pwd)"]);
  expect(env.stdout).toBe("hi /bin\n");
  // `script` gives docker a terminal, so `-it` allocates one inside the container.
  const scripted = Bun.spawnSync(["script", "-qec", "stty rows 33 cols 101; docker exec -it ticker sh -c 'busybox tty; busybox stty size'", "/dev/null"], {
    env: { ...process.env, DOCKER_HOST: `unix://${daemon.socket}` },
    stdout: "pipe",
    timeout: 30_000,
  });
  const output = scripted.stdout.toString();
  expect(output).toMatch(/\/dev\/pts\/\d+/);
  expect(output).toContain("33 101");
  const missing = await docker(["exec", "ticker", "nope"]);
  expect(missing.exitCode).toBe(127);
  expect(missing.stderr).toContain('exec: "nope": executable file not found in $PATH');
}, 60_000);

test("docker run in the foreground passes output and the exit code; --rm removes the container", async () => {
  const result = await docker(["run", "--rm", "--name", "once", IMAGE, "sh", "-c", "echo out; echo err >&2; exit 3"]);
  expect([result.exitCode, result.stdout, result.stderr]).toEqual([3, "out\n", "err\n"]);
  await eventually(async () => !(await docker(["ps", "-a", "--format", "{{.Names}}"])).stdout.includes("once"), "the --rm container to go");
}, 30_000);

test("stop, start, restart and rm keep docker's states and refusals", async () => {
  await docker(["run", "-d", "--name", "cycle", IMAGE, ...TICKER]);
  const refused = await docker(["rm", "cycle"]);
  expect(refused.exitCode).not.toBe(0);
  expect(refused.stderr).toContain("container is running: stop the container before removing or force remove");
  expect((await docker(["stop", "-t", "1", "cycle"])).stdout.trim()).toBe("cycle");
  const stopped = await docker(["ps", "-a", "--filter", "name=cycle", "--format", "{{.Status}}"]);
  expect(stopped.stdout.trim()).toMatch(/^Exited \((137|143)\) /);
  // The writable layer and the log survive a stop and start.
  expect((await docker(["start", "cycle"])).exitCode).toBe(0);
  await eventually(async () => (await docker(["logs", "cycle"])).stdout.split("started").length === 3, "a second run's log");
  expect((await docker(["restart", "-t", "1", "cycle"])).exitCode).toBe(0);
  expect((await docker(["inspect", "-f", "{{.State.Running}}", "cycle"])).stdout.trim()).toBe("true");
  expect((await docker(["rm", "-f", "cycle"])).stdout.trim()).toBe("cycle");
  const gone = await docker(["inspect", "cycle"]);
  expect(gone.exitCode).not.toBe(0);
  expect(gone.stderr).toContain("No such object: cycle");
}, 60_000);

test("a restart policy brings a failing container back up to its limit", async () => {
  await docker(["run", "-d", "--name", "flaky", "--restart", "on-failure:2", IMAGE, "sh", "-c", "echo try; exit 1"]);
  await eventually(async () => (await docker(["inspect", "-f", "{{.RestartCount}} {{.State.Status}}", "flaky"])).stdout.trim() === "2 exited", "two restarts");
  expect((await docker(["logs", "flaky"])).stdout).toBe("try\ntry\ntry\n");
  await docker(["rm", "-f", "flaky"]);
}, 30_000);

test("docker events lists a container's life", async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await docker(["run", "--name", "eventful", IMAGE, "sh", "-c", "exit 0"]);
  await docker(["rm", "eventful"]);
  const events = await docker(["events", "--since", String(since), "--until", String(Math.floor(Date.now() / 1000) + 1), "--filter", "container=eventful", "--format", "{{.Action}}"]);
  expect(events.stdout.trim().split("\n")).toEqual(["create", "start", "die", "destroy"]);
}, 30_000);

test("bad input is refused clearly and creates nothing", async () => {
  const before = (await docker(["ps", "-aq"])).stdout;
  const policy = await docker(["create", "--restart", "sometimes", IMAGE]);
  expect(policy.exitCode).not.toBe(0);
  expect(policy.stderr).toMatch(/restart policy|invalid/i);
  const name = await docker(["create", "--name", "bad name!", IMAGE]);
  expect(name.exitCode).not.toBe(0);
  expect(name.stderr).toContain("Invalid container name");
  const noImage = await docker(["create", "--pull", "never", "shoal-test/absent:1"]);
  expect(noImage.exitCode).not.toBe(0);
  expect(noImage.stderr).toContain("No such image");
  const logs = await docker(["logs", "nosuch"]);
  expect(logs.stderr).toContain("No such container: nosuch");
  const rmi = await docker(["rmi", IMAGE]);
  expect(rmi.exitCode).not.toBe(0);
  expect(rmi.stderr).toContain("is using its referenced image");
  expect((await docker(["ps", "-aq"])).stdout).toBe(before);
}, 30_000);

test("concurrent creates without names all succeed, each with its own generated name", async () => {
  const create = () =>
    fetch("http://shoal/containers/create", { unix: daemon.socket, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ Image: IMAGE, Cmd: ["true"] }) } as RequestInit);
  const responses = await Promise.all(Array.from({ length: 60 }, create));
  expect(responses.map((response) => response.status)).toEqual(Array(60).fill(201));
  const ids = await Promise.all(responses.map(async (response) => ((await response.json()) as { Id: string }).Id));
  const names = (await docker(["ps", "-a", "--filter", "status=created", "--format", "{{.Names}}"])).stdout.trim().split("\n");
  expect(new Set(names).size).toBe(names.length);
  expect(names.length).toBeGreaterThanOrEqual(60);
  expect((await docker(["rm", ...ids])).exitCode).toBe(0);
}, 60_000);

test("--init runs docker-init (tini) as PID 1 in front of the command", async () => {
  const result = await docker(["run", "--rm", "--init", IMAGE, "sh", "-c", "busybox tr '\\0' ' ' < /proc/1/cmdline; echo; exit 7"]);
  expect(result.stdout).toStartWith("/sbin/docker-init -- sh -c ");
  expect(result.exitCode).toBe(7);
}, 30_000);

test("health checks: healthy, then unhealthy after retries failures, with events and ps status", async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  await docker(["run", "-d", "--name", "checked", "--health-cmd", "busybox test ! -e /sick", "--health-interval", "200ms", "--health-retries", "2", IMAGE, "busybox", "sleep", "1000"]);
  expect((await docker(["inspect", "-f", "{{.State.Health.Status}}", "checked"])).stdout.trim()).toBe("starting");
  await eventually(async () => (await docker(["inspect", "-f", "{{.State.Health.Status}}", "checked"])).stdout.trim() === "healthy", "healthy");
  expect((await docker(["ps", "--filter", "name=checked", "--format", "{{.Status}}"])).stdout.trim()).toMatch(/^Up .* \(healthy\)$/);
  await docker(["exec", "checked", "busybox", "touch", "/sick"]);
  await eventually(async () => (await docker(["inspect", "-f", "{{.State.Health.Status}} {{.State.Health.FailingStreak}}", "checked"])).stdout.trim() === "unhealthy 2", "unhealthy");
  const log = JSON.parse((await docker(["inspect", "-f", "{{json .State.Health.Log}}", "checked"])).stdout) as { ExitCode: number }[];
  expect(log.at(-1)!.ExitCode).toBe(1);
  const events = await docker(["events", "--since", String(since), "--until", String(Math.floor(Date.now() / 1000) + 1), "--filter", "container=checked", "--filter", "event=health_status", "--format", "{{.Action}}"]);
  expect(events.stdout.trim().split("\n")).toEqual(["health_status: healthy", "health_status: unhealthy"]);
  await docker(["rm", "-f", "checked"]);
}, 30_000);

test("mounts: a named volume outlives its container, a read-only bind, a tmpfs", async () => {
  const write = await docker(["run", "--rm", "-v", "bench-data:/data", IMAGE, "sh", "-c", "echo kept > /data/file"]);
  expect(write.exitCode).toBe(0);
  const read = await docker(["run", "--rm", "-v", "bench-data:/data", IMAGE, "busybox", "cat", "/data/file"]);
  expect(read.stdout).toBe("kept\n");
  expect((await docker(["volume", "ls", "-q"])).stdout.split("\n")).toContain("bench-data");
  const hostDir = join(daemon.dir, "bind-source");
  mkdirSync(hostDir);
  writeFileSync(join(hostDir, "greeting"), "from the host\n");
  const bind = await docker(["run", "--rm", "-v", `${hostDir}:/host:ro`, IMAGE, "sh", "-c", "busybox cat /host/greeting; echo x > /host/new || echo refused"]);
  expect(bind.stdout).toBe("from the host\nrefused\n");
  const tmpfs = await docker(["run", "--rm", "--tmpfs", "/scratch", IMAGE, "sh", "-c", "busybox grep ' /scratch ' /proc/mounts | busybox cut -d' ' -f3"]);
  expect(tmpfs.stdout).toBe("tmpfs\n");
  const inUse = await docker(["run", "-d", "--name", "holder", "-v", "bench-data:/data", IMAGE, "busybox", "sleep", "1000"]);
  expect(inUse.exitCode).toBe(0);
  const refused = await docker(["volume", "rm", "bench-data"]);
  expect(refused.stderr).toContain("volume is in use");
  await docker(["rm", "-f", "holder"]);
  expect((await docker(["volume", "rm", "bench-data"])).exitCode).toBe(0);
}, 60_000);

test("pause and unpause freeze the processes; rename; container prune removes only stopped ones", async () => {
  await docker(["run", "-d", "--name", "frozen", IMAGE, ...TICKER]);
  expect((await docker(["pause", "frozen"])).exitCode).toBe(0);
  expect((await docker(["ps", "--filter", "name=frozen", "--format", "{{.Status}}"])).stdout.trim()).toMatch(/^Up .* \(Paused\)$/);
  const during = (await docker(["logs", "frozen"])).stdout.length;
  await Bun.sleep(500);
  expect((await docker(["logs", "frozen"])).stdout.length).toBe(during);
  expect((await docker(["pause", "frozen"])).stderr).toContain("is already paused");
  expect((await docker(["unpause", "frozen"])).exitCode).toBe(0);
  await eventually(async () => (await docker(["logs", "frozen"])).stdout.length > during, "output after unpause");
  expect((await docker(["rename", "frozen", "thawed"])).exitCode).toBe(0);
  expect((await docker(["inspect", "-f", "{{.Name}}", "thawed"])).stdout.trim()).toBe("/thawed");
  expect((await docker(["rename", "thawed", "ticker"])).stderr).toContain("is already in use");
  await docker(["create", "--name", "leftover", IMAGE, "true"]);
  const prune = await docker(["container", "prune", "-f"]);
  expect(prune.stdout).toContain("Deleted Containers:");
  const names = (await docker(["ps", "-a", "--format", "{{.Names}}"])).stdout.split("\n");
  expect(names).not.toContain("leftover");
  expect(names).toContain("thawed");
  expect(names).toContain("ticker");
  await docker(["rm", "-f", "thawed"]);
}, 60_000);

test("after a daemon restart, running containers are re-adopted and their logs go on", async () => {
  const before = (await docker(["logs", "ticker"])).stdout.trim().split("\n").length;
  expect(await daemon.stop("SIGTERM")).toBe(0);
  await Bun.sleep(1000);
  await daemon.restart();
  const status = await docker(["ps", "--filter", "name=ticker", "--format", "{{.Status}}"]);
  expect(status.stdout.trim()).toMatch(/^Up /);
  // Lines written while no daemon ran are there, and new ones keep coming.
  const after = (await docker(["logs", "ticker"])).stdout.trim().split("\n").length;
  expect(after).toBeGreaterThan(before + 5);
  await eventually(async () => (await docker(["logs", "ticker"])).stdout.trim().split("\n").length > after + 3, "new lines after the restart");
  const stop = await docker(["stop", "-t", "1", "ticker"]);
  expect(stop.exitCode).toBe(0);
  expect((await docker(["inspect", "-f", "{{.State.Status}}", "ticker"])).stdout.trim()).toBe("exited");
}, 60_000);
