/** `docker exec` into runc containers (as root, real runtime): pipes, stdin, TTY and resize, failures. */
import { beforeAll, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { useRuntimeFixture } from "../../test/support/runtime-fixture.ts";
import { ShoalError } from "../lib/index.ts";
import { ContainerRuntime } from "./container-runtime.ts";
import type { ExecSession } from "./exec-session.ts";
import { buildOciSpec, parseHardLimits } from "./oci-spec.ts";

const fixture = useRuntimeFixture("exec");
const { work, created, layer } = fixture;
let runtime: ContainerRuntime;
beforeAll(() => {
  runtime = fixture.runtime;
});

async function running(id: string, cmd = ["busybox", "sleep", "1000"]): Promise<void> {
  created.push(id);
  const spec = buildOciSpec(
    { Cmd: cmd, Env: ["PATH=/bin", "FOO=from-image"] },
    { hostname: id, rootfs: "(set by create)", cgroupsPath: `/shoal-exec-test/${id}` },
    { passwd: null, group: null },
    parseHardLimits(readFileSync("/proc/self/limits", "utf8")),
  );
  await runtime.create(id, spec, [layer]);
  runtime.start(id);
}

/** Reads a session to its end: what each stream said and the exit code. */
async function collect(session: ExecSession): Promise<{ stdout: string; stderr: string; code: number }> {
  const text = { stdout: "", stderr: "" };
  const decoder = new TextDecoder();
  for await (const chunk of session.output) text[chunk.stream] += decoder.decode(chunk.data);
  return { ...text, code: await session.exited };
}

/** Reads output until `pattern` has appeared (the iterator stays usable). */
async function readUntil(iterator: AsyncIterator<{ data: Uint8Array }>, pattern: RegExp, seen = { text: "" }): Promise<string> {
  const decoder = new TextDecoder();
  while (!pattern.test(seen.text)) {
    const next = await iterator.next();
    if (next.done) throw new Error(`output ended before ${pattern}: ${JSON.stringify(seen.text)}`);
    seen.text += decoder.decode(next.value.data);
  }
  return seen.text;
}

beforeAll(async () => {
  await running("main");
}, 30_000);

test("without a TTY, stdout and stderr arrive apart and the exit code is the process's", async () => {
  const session = runtime.exec("main", { args: ["sh", "-c", "echo out; echo err >&2; exit 3"], tty: false, stdin: false });
  expect(await collect(session)).toEqual({ stdout: "out\n", stderr: "err\n", code: 3 });
  expect(session.pid).toBeGreaterThan(1);
  // The session's files (process.json, pid file, runc log) are gone once it has ended.
  expect(readdirSync(join(work, "run", "exec"))).toEqual([]);
}, 30_000);

test("stdin reaches the process, and closing it ends a process reading to end-of-file", async () => {
  const session = runtime.exec("main", { args: ["busybox", "cat"], tty: false, stdin: true });
  const iterator = session.output[Symbol.asyncIterator]();
  session.write(new TextEncoder().encode("hello\n"));
  expect(await readUntil(iterator, /hello\n/)).toBe("hello\n");
  session.write("again\n");
  expect(await readUntil(iterator, /again\n/)).toBe("again\n");
  session.closeStdin();
  expect(await session.exited).toBe(0);
  expect((await iterator.next()).done).toBe(true);
  expect(() => session.write("more")).toThrow("stdin of the exec session is closed");
  // Input for a process that has gone is dropped, not an error.
  const gone = runtime.exec("main", { args: ["sh", "-c", "exit 0"], tty: false, stdin: true });
  expect(await gone.exited).toBe(0);
  gone.write("late\n");
  gone.closeStdin();
  await Bun.sleep(50);
}, 30_000);

test("with a TTY the process has a terminal of the asked size, and resize changes what it sees", async () => {
  const once = await collect(runtime.exec("main", { args: ["sh", "-c", "busybox tty; busybox stty size; echo $TERM"], tty: true, stdin: false, consoleSize: { rows: 30, cols: 100 } }));
  expect(once.code).toBe(0);
  expect(once.stderr).toBe("");
  expect(once.stdout).toMatch(/^\/dev\/pts\/\d+\r\n30 100\r\nxterm\r\n$/);

  const shell = runtime.exec("main", { args: ["sh"], tty: true, stdin: true });
  const iterator = shell.output[Symbol.asyncIterator]();
  const seen = { text: "" };
  shell.write("busybox stty size\n");
  await readUntil(iterator, /24 80\r\n/, seen);
  shell.resize(40, 120);
  shell.write("busybox stty size\n");
  await readUntil(iterator, /40 120\r\n/, seen);
  shell.write("exit 5\n");
  expect(await shell.exited).toBe(5);
  expect(() => shell.resize(0, 10)).toThrow(ShoalError);
}, 30_000);

test("closing stdin of a TTY session sends end-of-file to the terminal", async () => {
  const session = runtime.exec("main", { args: ["busybox", "cat"], tty: true, stdin: true });
  const iterator = session.output[Symbol.asyncIterator]();
  session.write("typed\n");
  await readUntil(iterator, /typed\r\n.*typed\r\n/s);
  session.closeStdin();
  expect(await session.exited).toBe(0);
}, 30_000);

test("the container's env is overlaid by the exec's, and user and working directory are honoured", async () => {
  const plain = await collect(runtime.exec("main", { args: ["sh", "-c", "echo $FOO $BAR; busybox id -u; pwd"], tty: false, stdin: false }));
  expect(plain).toEqual({ stdout: "from-image\n0\n/\n", stderr: "", code: 0 });
  const custom = await collect(
    runtime.exec("main", { args: ["sh", "-c", "echo $FOO $BAR; busybox id -u; busybox id -g; pwd"], env: ["FOO=over", "BAR=baz"], user: "1000:1001", workingDir: "/bin", tty: false, stdin: false }),
  );
  expect(custom).toEqual({ stdout: "over baz\n1000\n1001\n/bin\n", stderr: "", code: 0 });
  // A user name resolves through the container's /etc/passwd.
  mkdirSync(join(runtime.rootfs("main"), "etc"), { recursive: true });
  writeFileSync(join(runtime.rootfs("main"), "etc", "passwd"), "root:x:0:0::/:/bin/sh\napp:x:1234:2345::/:/bin/sh\n");
  const named = await collect(runtime.exec("main", { args: ["sh", "-c", "busybox id -u; busybox id -g"], user: "app", tty: false, stdin: false }));
  expect(named.stdout).toBe("1234\n2345\n");
  expect(() => runtime.exec("main", { args: ["true"], user: "nobody-here", tty: false, stdin: false })).toThrow("unable to find user nobody-here");
}, 30_000);

test("privileged gives the process every capability", async () => {
  const capabilities = async (privileged: boolean) =>
    (await collect(runtime.exec("main", { args: ["busybox", "grep", "CapEff", "/proc/self/status"], privileged, tty: false, stdin: false }))).stdout;
  const plain = await capabilities(false);
  const all = await capabilities(true);
  expect(plain).toMatch(/^CapEff:\s+[0-9a-f]+\n$/);
  expect(BigInt(`0x${all.split(/\s+/)[1]}`)).toBeGreaterThan(BigInt(`0x${plain.split(/\s+/)[1]}`));
}, 30_000);

test("a missing command exits 127 and a non-executable one 126, with Docker's message on the stream", async () => {
  const missing = await collect(runtime.exec("main", { args: ["nope"], tty: false, stdin: false }));
  expect(missing).toEqual({
    stdout: "",
    stderr: 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown\n',
    code: 127,
  });
  const directory = await collect(runtime.exec("main", { args: ["/bin"], tty: false, stdin: false }));
  expect(directory.code).toBe(126);
  expect(directory.stderr).toContain('exec: "/bin": permission denied: unknown');
  const inTty = await collect(runtime.exec("main", { args: ["nope"], tty: true, stdin: false }));
  expect(inTty.code).toBe(127);
  expect(inTty.stdout).toBe('OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown\r\n');
  // A process of its own that exits 255 (runc's failure code) keeps its code and output.
  expect(await collect(runtime.exec("main", { args: ["sh", "-c", "echo mine >&2; exit 255"], tty: false, stdin: false }))).toEqual({ stdout: "", stderr: "mine\n", code: 255 });
}, 30_000);

test("exec into a container that is not running is refused", async () => {
  await running("stopped", ["sh", "-c", "exit 0"]);
  await runtime.wait("stopped", 10_000);
  const error = (() => {
    try {
      runtime.exec("stopped", { args: ["true"], tty: false, stdin: false });
    } catch (failure) {
      return failure as ShoalError;
    }
  })();
  expect(error?.code).toBe("failed_precondition");
  expect(error?.message).toBe("container stopped is not running");
  expect(() => runtime.exec("no-such-container", { args: ["true"], tty: false, stdin: false })).toThrow("No such container: no-such-container");
}, 30_000);
