import { afterEach, beforeEach, expect, test } from "bun:test";
import { muxFrame } from "../stream-demux.ts";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  daemon.on("GET", "/containers/web/json", () => ({ Id: "abc123", Name: "/web", Config: { Tty: false } }));
  daemon.on("POST", "/containers/web/exec", () => [201, { Id: "exec1" }]);
});
afterEach(async () => daemon.close());

test("exec creates, starts hijacked, copies output and exits with the command's exit code", async () => {
  daemon.onHijack("POST", "/exec/exec1/start", (_request, socket, sendSwitch) => {
    sendSwitch();
    socket.end(Buffer.concat([muxFrame(1, "out\n"), muxFrame(2, "err\n")]));
  });
  daemon.on("GET", "/exec/exec1/json", () => ({ ID: "exec1", Running: false, ExitCode: 42 }));
  const result = await runShoal(daemon.host, ["exec", "-e", "A=1", "-u", "nobody", "-w", "/tmp", "web", "sh", "-c", "exit 42"]);
  expect(result.stdout).toBe("out\n");
  expect(result.stderr).toBe("err\n");
  expect(result.exitCode).toBe(42);
  expect(daemon.calls()).toEqual(["GET /containers/web/json", "POST /containers/web/exec", "POST /exec/exec1/start", "GET /exec/exec1/json"]);
  const create = daemon.requests.find((request) => request.path === "/containers/web/exec")!;
  expect(JSON.parse(create.body)).toEqual({
    User: "nobody",
    Privileged: false,
    Tty: false,
    AttachStdin: false,
    AttachStderr: true,
    AttachStdout: true,
    DetachKeys: "",
    Env: ["A=1"],
    WorkingDir: "/tmp",
    Cmd: ["sh", "-c", "exit 42"],
  });
  const start = daemon.requests.find((request) => request.path === "/exec/exec1/start")!;
  expect(JSON.parse(start.body)).toEqual({ Detach: false, Tty: false });
  expect(start.headers.upgrade).toBe("tcp");
  expect(start.headers["content-type"]).toBe("application/json");
});

test("exec -i forwards stdin, half-closes at its end, and still reads what comes after", async () => {
  let received = "";
  daemon.onHijack("POST", "/exec/exec1/start", (_request, socket, sendSwitch) => {
    sendSwitch();
    socket.on("data", (data: Buffer) => (received += data.toString()));
    // Like `cat`: answer only once stdin is closed.
    socket.on("end", () => socket.end(muxFrame(1, `got ${received}`)));
  });
  daemon.on("GET", "/exec/exec1/json", () => ({ ExitCode: 0 }));
  const result = await runShoal(daemon.host, ["exec", "-i", "web", "cat"], { stdin: ["hello ", "world"] });
  expect(received).toBe("hello world");
  expect(result.stdout).toBe("got hello world");
  expect(result.exitCode).toBe(0);
  expect(JSON.parse(daemon.requests.find((request) => request.path === "/containers/web/exec")!.body).AttachStdin).toBe(true);
});

test("exec -it puts the terminal in raw mode and sends the size; -d starts detached without hijacking", async () => {
  daemon.onHijack("POST", "/exec/exec1/start", (_request, socket, sendSwitch) => {
    sendSwitch("application/vnd.docker.raw-stream");
    socket.on("end", () => socket.end("$ \r\n"));
    socket.resume();
  });
  daemon.on("POST", "/exec/exec1/resize", () => undefined);
  daemon.on("GET", "/exec/exec1/json", () => ({ ExitCode: 0 }));
  const tty = await runShoal(daemon.host, ["exec", "-it", "web", "sh"], { terminal: true, stdin: ["exit\r"] });
  expect(tty.stdout).toBe("$ \r\n");
  expect(tty.rawModes).toBe(1);
  expect(daemon.calls()).toContain("POST /exec/exec1/resize?h=40&w=120");
  expect(JSON.parse(daemon.requests.find((request) => request.path === "/exec/exec1/start")!.body)).toEqual({ Detach: false, Tty: true, ConsoleSize: [40, 120] });

  daemon.on("POST", "/exec/exec1/start", () => undefined);
  const detached = await runShoal(daemon.host, ["exec", "-d", "web", "sleep", "10"]);
  expect(detached.exitCode).toBe(0);
  expect(daemon.requests.at(-1)!.upgrade).toBe(false);
  expect(JSON.parse(daemon.requests.at(-1)!.body)).toEqual({ Detach: true, Tty: false });
});

test("exec -it without a terminal is refused; a missing container is reported before creating", async () => {
  const notTty = await runShoal(daemon.host, ["exec", "-it", "web", "sh"]);
  expect(notTty.exitCode).toBe(1);
  expect(notTty.stderr).toBe("the input device is not a TTY\n");
  daemon.on("GET", "/containers/nope/json", (_request, res) => jsonError(res, 404, "No such container: nope"));
  const missing = await runShoal(daemon.host, ["exec", "nope", "true"]);
  expect(missing.stderr).toBe("Error response from daemon: No such container: nope\n");
  expect(daemon.calls().filter((call) => call.includes("/exec"))).toEqual([]);
});

test("a hijack the daemon refuses reports its error", async () => {
  daemon.on("GET", "/containers/web/json", () => ({ Id: "abc123", Config: { Tty: false } }));
  daemon.onHijack("POST", "/exec/exec1/start", (_request, socket) => {
    const body = JSON.stringify({ message: "container abc123 is not running" });
    socket.end(`HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  });
  const result = await runShoal(daemon.host, ["exec", "web", "true"]);
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toBe("Error response from daemon: container abc123 is not running\n");
});
