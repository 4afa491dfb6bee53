/** Containers under runc with conmon, on an overlay of the busybox layer (as root, real runtime). */
import { beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { useRuntimeFixture } from "../../test/support/runtime-fixture.ts";
import { ContainerRuntime } from "./container-runtime.ts";

const fixture = useRuntimeFixture("rt");
const { work, created, layer } = fixture;
let runtime: ContainerRuntime;
beforeAll(() => {
  runtime = fixture.runtime;
});

function spec(id: string, cmd: string[]) {
  return fixture.spec(id, cmd);
}

async function run(id: string, cmd: string[]): Promise<void> {
  created.push(id);
  await runtime.create(id, spec(id, cmd), [layer]);
  runtime.start(id);
}

test("a container runs, its stdout and stderr land in its log, and its exit code is recorded", async () => {
  await run("exits", ["sh", "-c", "echo hello; echo oops >&2; echo written > /new-file; exit 7"]);
  expect(await runtime.wait("exits", 10_000)).toBe(7);
  const logs = runtime.logs("exits");
  expect(logs.map(({ stream, text }) => `${stream} ${text}`)).toEqual(["stdout hello", "stderr oops"]);
  expect(logs.every((line) => line.complete && /^\d{4}-\d\d-\d\dT/.test(line.time))).toBe(true);
  // Writes go to the container's own upper layer, never to the shared image layer.
  expect(readFileSync(join(runtime.dir("exits"), "upper", "new-file"), "utf8")).toBe("written\n");
  expect(existsSync(join(layer, "new-file"))).toBe(false);
  expect(runtime.state("exits")?.status).toBe("stopped");
}, 30_000);

test("stop sends the stop signal, then SIGKILL after the grace period (sleep as PID 1 ignores TERM)", async () => {
  await run("sleeper", ["busybox", "sleep", "1000"]);
  expect(runtime.state("sleeper")?.status).toBe("running");
  const started = performance.now();
  expect(await runtime.stop("sleeper", 300)).toBe(137);
  expect(performance.now() - started).toBeGreaterThanOrEqual(250);
}, 30_000);

test("a process that handles TERM exits with its own code within the grace period", async () => {
  await run("polite", ["sh", "-c", "trap 'exit 3' TERM; while true; do busybox sleep 0.05; done"]);
  await Bun.sleep(200);
  expect(await runtime.stop("polite", 5000)).toBe(3);
}, 30_000);

test("a new runtime object finds running containers again (the daemon restarted)", async () => {
  await run("adopted", ["busybox", "sleep", "1000"]);
  const again = new ContainerRuntime({ containersDir: join(work, "containers"), execRoot: join(work, "run") });
  const state = again.state("adopted");
  expect(state?.status).toBe("running");
  expect(state!.pid).toBeGreaterThan(1);
  expect(await again.stop("adopted", 200)).toBe(137);
}, 30_000);

test("delete unmounts the root filesystem and removes everything of the container", async () => {
  await run("removed", ["sh", "-c", "exit 0"]);
  await runtime.wait("removed", 10_000);
  const rootfs = runtime.rootfs("removed");
  expect(readFileSync("/proc/self/mountinfo", "utf8")).toContain(rootfs);
  await runtime.delete("removed");
  expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(rootfs);
  expect(existsSync(runtime.dir("removed"))).toBe(false);
  expect(runtime.state("removed")).toBeNull();
}, 30_000);

test("a command that does not exist fails creation at once with runc's reason, and leaves nothing", async () => {
  const started = performance.now();
  const error = await runtime.create("broken", spec("broken", ["no-such-program"]), [layer]).catch((failure: Error) => failure);
  expect((error as Error).message).toContain('container broken was not created: ');
  expect((error as Error).message).toContain("executable file not found in $PATH");
  expect(performance.now() - started).toBeLessThan(5000);
  expect(existsSync(runtime.dir("broken"))).toBe(false);
}, 30_000);
