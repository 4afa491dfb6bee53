/**
 * The real docker CLI talks to a container's main process on shoal: `run -i` with piped stdin,
 * `run -it` under a terminal (its size, through `script`), `attach` and `start -ai` typing into a
 * shell, resizes, a TTY container across a daemon restart, and docker's refusal to attach to a
 * stopped container.
 */
import { beforeAll, expect, test } from "bun:test";
import { TEST_IMAGE, useDockerTestDaemon } from "../support/docker-test-daemon.ts";
import type { TestDaemon } from "../support/test-daemon.ts";

const IMAGE = TEST_IMAGE;
const fixture = useDockerTestDaemon();
let daemon: TestDaemon;
beforeAll(() => {
  daemon = fixture.current();
});

async function docker(args: string[], options: { stdin?: string; timeoutMs?: number } = {}) {
  return daemon.docker(args, { timeoutMs: 30_000, ...options });
}

/** What to type into the terminal: `input`, once `after` shows in the output (at once without it). */
interface Keystrokes {
  after?: string;
  input: string;
}

/**
 * Runs `docker args` with a terminal as its stdio (a Bun pty of `rows`×`cols`), typing each step's
 * input in turn. Returns the exit code and everything shown.
 */
async function dockerInTerminal(args: string[], steps: Keystrokes[], options: { rows?: number; cols?: number; timeoutMs?: number } = {}): Promise<{ exitCode: number; output: string }> {
  let output = "";
  let next = 0;
  let child: Bun.Subprocess | undefined;
  const type = () => {
    while (child && next < steps.length && (steps[next]!.after === undefined || output.includes(steps[next]!.after!))) child.terminal!.write(steps[next++]!.input);
  };
  child = Bun.spawn(["docker", ...args], {
    env: { ...process.env, DOCKER_HOST: `unix://${daemon.socket}` },
    terminal: {
      rows: options.rows ?? 24,
      cols: options.cols ?? 80,
      data: (_terminal, data) => {
        output += new TextDecoder().decode(data);
        type();
      },
    },
  });
  type();
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
  const exitCode = await child.exited;
  clearTimeout(timer);
  await Bun.sleep(50);
  child.terminal?.close();
  return { exitCode, output };
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

test("docker run -i passes piped stdin to the process and ends it with the input", async () => {
  const result = await docker(["run", "-i", "--rm", IMAGE, "busybox", "cat"], { stdin: "hello\n" });
  expect([result.exitCode, result.stdout, result.stderr]).toEqual([0, "hello\n", ""]);
  const split = await docker(["run", "-i", "--rm", IMAGE, "sh", "-c", "read line; echo got $line; echo err >&2; exit 5"], { stdin: "one\ntwo\n" });
  expect([split.exitCode, split.stdout, split.stderr]).toEqual([5, "got one\n", "err\n"]);
}, 60_000);

test("docker run -it gives the process a terminal of the client's size", async () => {
  const scripted = Bun.spawnSync(["script", "-qec", `stty rows 30 cols 90; docker run -it --rm ${IMAGE} sh -c 'busybox tty; busybox stty size'`, "/dev/null"], {
    env: { ...process.env, DOCKER_HOST: `unix://${daemon.socket}` },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 30_000,
  });
  const output = scripted.stdout.toString();
  expect(scripted.exitCode).toBe(0);
  expect(output).toMatch(/\/dev\/pts\/\d+/);
  expect(output).toContain("30 90");
}, 60_000);

test("docker attach to a shell started with -dit: typed commands run, exit code passes through", async () => {
  expect((await docker(["run", "-dit", "--name", "shell", IMAGE, "sh"])).exitCode).toBe(0);
  // The CLI resizes the container's terminal to its own on attach.
  const attached = await dockerInTerminal(["attach", "shell"], [{ input: "busybox stty size; echo hi; exit 3\r" }], { rows: 27, cols: 77 });
  expect(attached.output).toContain("27 77");
  expect(attached.output).toMatch(/\r\nhi\r\n/);
  expect(attached.exitCode).toBe(3);
  expect((await docker(["inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "shell"])).stdout.trim()).toBe("exited 3");
  // docker start -ai starts it again and attaches to the new shell.
  const again = await dockerInTerminal(["start", "-ai", "shell"], [{ input: "echo again; exit 4\r" }]);
  expect(again.output).toMatch(/\r\nagain\r\n/);
  expect(again.exitCode).toBe(4);
  // A TTY container's log is the raw terminal output.
  expect((await docker(["logs", "shell"])).stdout).toContain("again\r\n");
}, 60_000);

test("ctrl-p ctrl-q detaches and leaves the container running", async () => {
  expect((await docker(["run", "-dit", "--name", "detached", IMAGE, "sh"])).exitCode).toBe(0);
  // The keys go once the shell has answered, so the CLI has the terminal in raw mode (cooked, ctrl-q is XON).
  const detached = await dockerInTerminal(["attach", "detached"], [{ input: "echo $((6*7))x\r" }, { after: "42x\r\n", input: "\x10\x11" }]);
  expect(detached.output).toContain("42x\r\n");
  expect(detached.output).toContain("read escape sequence");
  expect((await docker(["inspect", "-f", "{{.State.Running}}", "detached"])).stdout.trim()).toBe("true");
  await docker(["rm", "-f", "detached"]);
}, 60_000);

test("a TTY container survives a daemon restart: exec and attach still work", async () => {
  expect((await docker(["run", "-dit", "--name", "survivor", IMAGE, "sh"])).exitCode).toBe(0);
  expect(await daemon.stop("SIGTERM")).toBe(0);
  await daemon.restart();
  expect((await docker(["inspect", "-f", "{{.State.Running}}", "survivor"])).stdout.trim()).toBe("true");
  const exec = await docker(["exec", "survivor", "busybox", "echo", "exec works"]);
  expect([exec.exitCode, exec.stdout]).toEqual([0, "exec works\n"]);
  const attached = await dockerInTerminal(["attach", "survivor"], [{ input: "echo after restart; exit 6\r" }]);
  expect(attached.output).toMatch(/\r\nafter restart\r\n/);
  expect(attached.exitCode).toBe(6);
  await eventually(async () => (await docker(["inspect", "-f", "{{.State.Status}}", "survivor"])).stdout.trim() === "exited", "the exit to be recorded");
}, 90_000);

test("attaching to a stopped container is refused as docker does", async () => {
  await docker(["create", "--name", "idle", "-it", IMAGE, "sh"]);
  const refused = await docker(["attach", "idle"]);
  expect(refused.exitCode).not.toBe(0);
  expect(refused.stderr).toContain("You cannot attach to a stopped container, start it first");
  const resized = await docker(["container", "inspect", "-f", "{{.Config.Tty}} {{.Config.OpenStdin}}", "idle"]);
  expect(resized.stdout.trim()).toBe("true true");
}, 30_000);
