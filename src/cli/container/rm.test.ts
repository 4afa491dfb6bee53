import { afterEach, beforeEach, expect, test } from "bun:test";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  daemon.on("DELETE", /^\/containers\/[^/]+$/, (request, res) => {
    if (request.path.endsWith("/missing")) return jsonError(res, 404, "No such container: missing");
    if (request.path.endsWith("/busy")) return jsonError(res, 409, "cannot remove container \"/busy\": container is running: stop the container before removing or force remove");
    return undefined;
  });
});
afterEach(async () => daemon.close());

test("rm removes several, prints each name, reports failures at the end and exits 1", async () => {
  const result = await runShoal(daemon.host, ["rm", "a", "missing", "b", "busy"]);
  expect(result.stdout).toBe("a\nb\n");
  expect(result.stderr).toBe(
    'Error response from daemon: No such container: missing\nError response from daemon: cannot remove container "/busy": container is running: stop the container before removing or force remove\n',
  );
  expect(result.exitCode).toBe(1);
});

test("rm -f -v forces, removes volumes and ignores missing containers", async () => {
  const result = await runShoal(daemon.host, ["rm", "-f", "-v", "a", "missing"]);
  expect(result.stdout).toBe("a\n");
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  expect(daemon.calls()).toContain("DELETE /containers/a?v=1&force=1");
});

test("stop, kill, restart, start and wait print names or codes and send docker's queries", async () => {
  daemon.on("POST", /\/(stop|kill|restart|start)$/, () => undefined);
  daemon.on("POST", /\/wait$/, () => ({ StatusCode: 7 }));
  expect((await runShoal(daemon.host, ["stop", "-t", "5", "a", "b"])).stdout).toBe("a\nb\n");
  expect((await runShoal(daemon.host, ["kill", "-s", "HUP", "a"])).stdout).toBe("a\n");
  expect((await runShoal(daemon.host, ["restart", "a"])).stdout).toBe("a\n");
  expect((await runShoal(daemon.host, ["start", "a"])).stdout).toBe("a\n");
  expect((await runShoal(daemon.host, ["container", "wait", "a"])).stdout).toBe("7\n");
  expect(daemon.calls()).toEqual([
    "POST /containers/a/stop?t=5",
    "POST /containers/b/stop?t=5",
    "POST /containers/a/kill?signal=HUP",
    "POST /containers/a/restart",
    "POST /containers/a/start",
    "POST /containers/a/wait",
  ]);
});

test("start reports each failure and ends with docker's summary", async () => {
  daemon.on("POST", /\/start$/, (request, res) => (request.path.includes("missing") ? jsonError(res, 404, "No such container: missing") : undefined));
  const result = await runShoal(daemon.host, ["start", "a", "missing"]);
  expect(result.stdout).toBe("a\n");
  expect(result.stderr).toBe("Error response from daemon: No such container: missing\nError: failed to start containers: missing\n");
  expect(result.exitCode).toBe(1);
});
