import { afterEach, beforeEach, expect, test } from "bun:test";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
});
afterEach(async () => daemon.close());

test("volume create, ls, inspect, rm and prune behave like docker's", async () => {
  daemon.on("POST", "/volumes/create", (request) => [201, { Name: JSON.parse(request.body).Name || "f00d", Driver: "local", Mountpoint: "/x", Scope: "local" }]);
  expect((await runShoal(daemon.host, ["volume", "create", "--label", "k=v", "data"])).stdout).toBe("data\n");
  expect(JSON.parse(daemon.requests.at(-1)!.body)).toEqual({ Name: "data", Driver: "local", DriverOpts: {}, Labels: { k: "v" } });
  daemon.on("GET", "/volumes", () => ({ Volumes: [{ Name: "data", Driver: "local", Mountpoint: "/x", Scope: "local", Labels: { k: "v" } }], Warnings: null }));
  expect((await runShoal(daemon.host, ["volume", "ls"])).stdout).toBe("DRIVER    VOLUME NAME\nlocal     data\n");
  expect((await runShoal(daemon.host, ["volume", "ls", "-q"])).stdout).toBe("data\n");
  daemon.on("GET", "/volumes/data", () => ({ Name: "data", Driver: "local", Mountpoint: "/x", Scope: "local" }));
  daemon.on("GET", "/volumes/nope", (_request, res) => jsonError(res, 404, "get nope: no such volume"));
  const inspect = await runShoal(daemon.host, ["volume", "inspect", "data", "nope"]);
  expect(JSON.parse(inspect.stdout)).toEqual([{ Name: "data", Driver: "local", Mountpoint: "/x", Scope: "local" }]);
  expect(inspect.stdout.startsWith('[\n    {\n        "Name"')).toBe(true);
  expect(inspect.stderr).toBe("Error response from daemon: get nope: no such volume\n");
  daemon.on("DELETE", /^\/volumes\//, () => undefined);
  expect((await runShoal(daemon.host, ["volume", "rm", "-f", "data"])).stdout).toBe("data\n");
  expect(daemon.calls().at(-1)).toBe("DELETE /volumes/data?force=1");
  daemon.on("POST", "/volumes/prune", () => ({ VolumesDeleted: ["a", "b"], SpaceReclaimed: 2048 }));
  const prune = await runShoal(daemon.host, ["volume", "prune", "-a"], { stdin: ["y\n"] });
  expect(prune.stdout).toBe(
    "WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] Deleted Volumes:\na\nb\n\nTotal reclaimed space: 2.05kB\n",
  );
  expect(JSON.parse(daemon.requests.at(-1)!.query.get("filters")!)).toEqual({ all: { true: true } });
});

test("inspect tries container, image, network then volume, and says no such object otherwise", async () => {
  daemon.on("GET", "/volumes/data", () => ({ Name: "data", Driver: "local" }));
  const found = await runShoal(daemon.host, ["inspect", "--format", "{{.Driver}}", "data"]);
  expect(found.stdout).toBe("local\n");
  expect(daemon.calls()).toEqual(["GET /containers/data/json", "GET /images/data/json", "GET /networks/data", "GET /volumes/data"]);
  const missing = await runShoal(daemon.host, ["inspect", "ghost"]);
  expect(missing.stdout).toBe("[]\n");
  expect(missing.stderr).toBe("Error: No such object: ghost\n");
  expect(missing.exitCode).toBe(1);
  const typed = await runShoal(daemon.host, ["container", "inspect", "ghost"]);
  expect(typed.stderr).toBe("Error response from daemon: page not found: GET /containers/ghost/json\n");
});
