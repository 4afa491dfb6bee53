import { afterEach, beforeEach, expect, test } from "bun:test";
import { muxFrame } from "../stream-demux.ts";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
});
afterEach(async () => daemon.close());

function container(tty: boolean) {
  daemon.on("GET", "/containers/web/json", () => ({ Id: "abc123", Name: "/web", Config: { Tty: tty } }));
}

test("logs demultiplexes stdout and stderr, frames split across chunks", async () => {
  container(false);
  daemon.on("GET", "/containers/abc123/logs", (_request, res) => {
    res.writeHead(200, { "Content-Type": "application/vnd.docker.multiplexed-stream" });
    const frames = Buffer.concat([muxFrame(1, "one\n"), muxFrame(2, "warn\n"), muxFrame(1, "two\n")]);
    res.write(frames.subarray(0, 5));
    setTimeout(() => res.end(frames.subarray(5)), 5);
  });
  const result = await runShoal(daemon.host, ["logs", "web"]);
  expect(result.stdout).toBe("one\ntwo\n");
  expect(result.stderr).toBe("warn\n");
  expect(daemon.calls()).toEqual(["GET /containers/web/json", "GET /containers/abc123/logs?stdout=1&stderr=1&tail=all"]);
});

test("a TTY container's log is copied raw", async () => {
  container(true);
  daemon.on("GET", "/containers/abc123/logs", (_request, res) => {
    res.writeHead(200, { "Content-Type": "application/vnd.docker.raw-stream" });
    res.end("\u0001raw bytes\r\n");
  });
  expect((await runShoal(daemon.host, ["logs", "web"])).stdout).toBe("\u0001raw bytes\r\n");
});

test("--tail, --since, --until, -t, --details and -f go to the query", async () => {
  container(false);
  daemon.on("GET", "/containers/abc123/logs", () => "");
  const before = Math.floor(Date.now() / 1000);
  await runShoal(daemon.host, ["logs", "-f", "--tail", "10", "--since", "10m", "--until", "2026-01-02T03:04:05Z", "-t", "--details", "web"]);
  const query = daemon.requests.at(-1)!.query;
  expect(query.get("tail")).toBe("10");
  expect(query.get("follow")).toBe("1");
  expect(query.get("timestamps")).toBe("1");
  expect(query.get("details")).toBe("1");
  expect(query.get("until")).toBe("1767323045.000000000");
  const since = Number(query.get("since"));
  expect(since).toBeGreaterThanOrEqual(before - 600 - 1);
  expect(since).toBeLessThanOrEqual(before - 600 + 2);
});

test("a missing container is the daemon's error; a bad --since is refused before any request", async () => {
  daemon.on("GET", "/containers/nope/json", (_request, res) => jsonError(res, 404, "No such container: nope"));
  const missing = await runShoal(daemon.host, ["logs", "nope"]);
  expect(missing.exitCode).toBe(1);
  expect(missing.stderr).toBe("Error response from daemon: No such container: nope\n");
  const bad = await runShoal(daemon.host, ["logs", "--since", "yesterday", "web"]);
  expect(bad.exitCode).toBe(1);
  expect(bad.stderr).toBe('failed to parse value as time or duration: "yesterday"\n');
  expect(daemon.calls()).toEqual(["GET /containers/nope/json"]);
});
