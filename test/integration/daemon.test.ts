/** `shoal daemon` as a process: its lock, socket, signals, logs and systemd notification. */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { bindUnixDatagram } from "../../native/index.ts";
import { startDaemonProcess } from "../support/daemon-process.ts";
import { run } from "../support/run.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

const daemons: TestDaemon[] = [];
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.dispose();
});

async function daemon(options?: Parameters<typeof startTestDaemon>[0]): Promise<TestDaemon> {
  const started = await startTestDaemon(options);
  daemons.push(started);
  return started;
}

async function engineId(socket: string): Promise<string> {
  const info = (await (await fetch("http://shoal/v1.51/info", { unix: socket })).json()) as { ID: string };
  return info.ID;
}

describe("data root lock", () => {
  test("a second daemon on the same data root exits 1 with a clear message, the first keeps serving", async () => {
    const first = await daemon();
    const second = startDaemonProcess({
      binary: first.binary,
      dataRoot: first.dataRoot,
      execRoot: join(first.dir, "run2"),
      logFile: join(first.dir, "second.log"),
    });
    expect(await second.exited).toBe(1);
    expect(second.log()).toContain(`data root ${first.dataRoot} is in use by another shoal daemon`);
    expect(second.log()).toContain("another --data-root");
    expect(existsSync(join(first.dir, "run2", "shoal.sock"))).toBe(false);
    expect((await first.shoal(["info"])).exitCode).toBe(0);
  }, 30_000);

  test("a daemon killed with -9 leaves no lock: the next one starts on the same roots", async () => {
    const first = await daemon();
    const id = await engineId(first.socket);
    expect(await first.stop("SIGKILL")).toBe(137);
    expect(existsSync(first.socket)).toBe(true); // stale socket left by the killed daemon
    await first.restart();
    expect(await engineId(first.socket)).toBe(id);
  }, 30_000);

  test("a daemon refuses a socket another live daemon serves", async () => {
    const first = await daemon();
    const second = startDaemonProcess({
      binary: first.binary,
      dataRoot: join(first.dir, "data2"),
      execRoot: first.execRoot,
      logFile: join(first.dir, "second.log"),
    });
    expect(await second.exited).toBe(1);
    expect(second.log()).toContain(`another shoal daemon is already serving on ${first.socket}`);
    expect((await first.shoal(["version"])).exitCode).toBe(0);
  }, 30_000);
});

describe("socket and signals", () => {
  test("serves the API on a unix socket with mode 0660", async () => {
    const started = await daemon();
    expect(statSync(started.socket).mode & 0o777).toBe(0o660);
    expect(statSync(started.socket).isSocket()).toBe(true);
  }, 30_000);

  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    test(`stops cleanly on ${signal}: exit 0, socket removed, storage closed and reopenable`, async () => {
      const started = await daemon();
      const id = await engineId(started.socket);
      expect(await started.stop(signal)).toBe(0);
      expect(existsSync(started.socket)).toBe(false);
      expect(existsSync(join(started.execRoot, "shoal.pid"))).toBe(false);
      expect(started.daemon.log()).toContain("daemon stopped");
      await started.restart();
      expect(await engineId(started.socket)).toBe(id);
    }, 30_000);
  }

  test("every log line is a structured logfmt line", async () => {
    const started = await daemon({ args: ["--log-level", "debug"] });
    await started.shoal(["info"]);
    await started.stop();
    const lines = started.daemon.log().trim().split("\n");
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^time=\d{4}-\d\d-\d\dT\S+Z level=(debug|info|warn|error) msg=("[^"]*"|\S+)( [a-z.]+=("[^"]*"|\S*))*$/);
    expect(lines.some((line) => line.includes('msg="api request"') && line.includes("path=/v1.51/info") && line.includes("status=200"))).toBe(true);
  }, 30_000);
});

test("tells systemd READY=1 once serving and STOPPING=1 on stop (Type=notify)", async () => {
  const notifySocket = `/tmp/shoal-notify-${process.pid}.sock`;
  const receiver = bindUnixDatagram(notifySocket);
  try {
    const started = await daemon({ env: { NOTIFY_SOCKET: notifySocket } });
    const ready = receiver.tryReceive();
    expect(ready).toContain("READY=1");
    expect(ready).toContain(`MAINPID=${started.daemon.pid}`);
    await started.stop();
    expect(receiver.tryReceive()).toBe("STOPPING=1");
  } finally {
    receiver.close();
    await run(["rm", "-f", notifySocket]);
  }
}, 30_000);

describe("bad flags", () => {
  test("an unknown log level is refused before anything starts", async () => {
    const started = await daemon({ noWait: true, args: ["--log-level", "loud"] });
    expect(await started.daemon.exited).toBe(1);
    expect(started.daemon.log()).toContain('unknown log level "loud": use debug, info, warn or error');
    expect(existsSync(started.dataRoot)).toBe(false);
  }, 30_000);

  test("a TCP host is refused with what to use instead", async () => {
    const started = await daemon({ noWait: true, args: ["-H", "tcp://127.0.0.1:2375"] });
    expect(await started.daemon.exited).toBe(1);
    expect(started.daemon.log()).toContain('unsupported host address "tcp://127.0.0.1:2375": use a unix socket');
  }, 30_000);
});

describe("bad requests against the running daemon", () => {
  test("unknown paths, unsupported versions and malformed paths get JSON errors", async () => {
    const started = await daemon();
    const cases: [string, number, string][] = [
      ["/v1.51/containers/nope/frobnicate", 404, "page not found"],
      ["/nope", 404, "page not found"],
      ["/v1.12/info", 400, "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version"],
      ["/v9.99/info", 400, "client version 9.99 is too new. Maximum supported API version is 1.51"],
    ];
    for (const [path, status, message] of cases) {
      const response = await fetch(`http://shoal${path}`, { unix: started.socket });
      expect(response.status).toBe(status);
      expect(response.headers.get("Content-Type")).toBe("application/json");
      expect(await response.json()).toEqual({ message });
    }
    const curl = await run(["curl", "-s", "--unix-socket", started.socket, "-X", "POST", "-H", "Content-Type: application/json", "-d", "{oops", "http://shoal/v1.51/info"]);
    expect(JSON.parse(curl.stdout)).toEqual({ message: "page not found" });
    // A route that reads a JSON body: malformed JSON, wrong type, missing fields.
    const auth = (body: string, type = "application/json") =>
      fetch("http://shoal/v1.51/auth", { unix: started.socket, method: "POST", body, headers: { "Content-Type": type } });
    const malformed = await auth('{"username": "alice"');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get("Content-Type")).toBe("application/json");
    expect(((await malformed.json()) as { message: string }).message).toStartWith("invalid JSON in request body:");
    const wrongType = await auth('{"username":"a","password":"b"}', "text/plain");
    expect(((await wrongType.json()) as { message: string }).message).toBe("unsupported Content-Type header (text/plain): must be 'application/json'");
    const incomplete = await auth('{"username":"alice"}');
    expect(incomplete.status).toBe(400);
    expect(await incomplete.json()).toEqual({ message: "login needs a username and a password" });
  }, 30_000);
});
