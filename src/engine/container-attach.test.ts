/** Attaching to containers' main processes through conmon: stdin, a TTY, resizes, a new runtime (as root, real runc). */
import { beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { useRuntimeFixture } from "../../test/support/runtime-fixture.ts";
import type { AttachSession } from "./attach-session.ts";
import { ContainerRuntime, type CreateOptions } from "./container-runtime.ts";

const fixture = useRuntimeFixture("attach");
const { work, created, layer } = fixture;
let runtime: ContainerRuntime;
beforeAll(() => {
  runtime = fixture.runtime;
});

function spec(id: string, cmd: string[]) {
  return fixture.spec(id, cmd);
}

/** Creates the container, attaches before its process runs (as docker run does), then starts it. */
async function runAttached(id: string, cmd: string[], options: CreateOptions): Promise<AttachSession> {
  created.push(id);
  await runtime.create(id, spec(id, cmd), [layer], options);
  const session = runtime.attach(id);
  runtime.start(id);
  return session;
}

/** Reads the session's output until `done` holds for all of it (or it ends), within `timeoutMs`. */
async function readUntil(session: AttachSession, done: (text: string) => boolean, timeoutMs = 10_000): Promise<{ stdout: string; stderr: string }> {
  const text = { stdout: "", stderr: "" };
  const iterator = session.output[Symbol.asyncIterator]();
  const deadline = Date.now() + timeoutMs;
  while (!done(text.stdout + text.stderr)) {
    const next = await Promise.race([iterator.next(), Bun.sleep(Math.max(0, deadline - Date.now())).then(() => null)]);
    if (next === null) throw new Error(`timed out; output so far: ${JSON.stringify(text)}`);
    if (next.done) break;
    text[next.value.stream] += new TextDecoder().decode(next.value.data);
  }
  return text;
}

test("stdin reaches the process, its end closes stdin (StdinOnce), stdout and stderr stay apart", async () => {
  const session = await runAttached("piped", ["sh", "-c", "busybox cat; echo done >&2"], { stdin: true, stdinOnce: true });
  session.write("hello\n");
  session.closeStdin();
  const output = await readUntil(session, () => false);
  expect(output).toEqual({ stdout: "hello\n", stderr: "done\n" });
  expect(await runtime.wait("piped", 10_000)).toBe(0);
  // What went through the attach socket is in the log too.
  expect(runtime.logs("piped").map((line) => `${line.stream} ${line.text}`)).toEqual(["stdout hello", "stderr done"]);
}, 30_000);

test("a TTY: the process has a terminal of the asked size, input is echoed, a resize reaches it", async () => {
  const session = await runAttached("terminal", ["sh"], { tty: true, stdin: true, consoleSize: { rows: 30, cols: 90 } });
  session.write("busybox tty; busybox stty size\n");
  const first = await readUntil(session, (text) => /30 90\r\n/.test(text));
  expect(first.stdout).toMatch(/\/dev\/pts\/\d+\r\n/);
  expect(first.stderr).toBe("");
  session.resize(41, 101);
  await Bun.sleep(50);
  session.write("busybox stty size; exit 3\n");
  const second = await readUntil(session, () => false);
  expect(second.stdout).toContain("41 101\r\n");
  expect(await runtime.wait("terminal", 10_000)).toBe(3);
}, 30_000);

test("a TTY container outlives its runtime object and is attached again by a new one", async () => {
  const first = await runAttached("kept", ["sh"], { tty: true, stdin: true });
  first.write("echo one\n");
  await readUntil(first, (text) => text.includes("one\r\n"));
  first.close();
  const again = new ContainerRuntime({ containersDir: join(work, "containers"), execRoot: join(work, "run") });
  const second = again.attach("kept");
  expect(second.tty).toBe(true);
  second.write("echo hi; exit 3\n");
  const output = await readUntil(second, () => false);
  expect(output.stdout).toContain("hi\r\n");
  expect(await again.wait("kept", 10_000)).toBe(3);
  expect(() => again.attach("kept")).toThrow("You cannot attach to a stopped container, start it first");
}, 30_000);

test("after idle spells an attach still echoes keystrokes and delivers unprompted output (CPU share and latencies printed)", async () => {
  const cpuShare = async () => {
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    await Bun.sleep(2000);
    const cpu = process.cpuUsage(cpuBefore);
    return (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
  };
  const baseline = await cpuShare();
  const session = await runAttached("idle", ["sh"], { tty: true, stdin: true });
  session.write("echo ready\n");
  await readUntil(session, (text) => text.includes("ready\r\n/ # "));
  const idle = await cpuShare();
  // The echo of a keystroke after an idle spell, and output the process writes on its own after one.
  const echoes: number[] = [];
  for (const key of "abcde") {
    await Bun.sleep(300);
    const sent = performance.now();
    session.write(key);
    await readUntil(session, (text) => text.includes(key));
    echoes.push(performance.now() - sent);
  }
  session.write("\x15busybox sleep 1; echo late\n");
  await readUntil(session, (text) => text.includes("echo late\r\n"));
  const started = performance.now();
  await readUntil(session, (text) => text.includes("late\r\n"));
  const unprompted = performance.now() - started - 1000;
  console.log(`CPU share of the test process: ${(baseline * 100).toFixed(2)}% without an attach, ${(idle * 100).toFixed(2)}% with an idle one; echo latency ms: ${echoes.map((ms) => ms.toFixed(1)).join(" ")}; output after 1 s idle: +${unprompted.toFixed(1)} ms`);
  // Figures, not assertions (timings belong to benchmarks): what is checked is that every keystroke
  // echoed and the unprompted output arrived after idle spells, i.e. the polling never stops.
  expect(echoes.length).toBe(5);
  expect(Number.isFinite(idle) && Number.isFinite(unprompted)).toBe(true);
  session.write("\nexit\n");
  await runtime.wait("idle", 10_000);
}, 30_000);
