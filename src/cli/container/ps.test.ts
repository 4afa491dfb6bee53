import { afterEach, beforeEach, expect, test } from "bun:test";
import { startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";
import { displayablePorts } from "./ports.ts";

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  const now = Math.floor(Date.now() / 1000);
  daemon.on("GET", "/containers/json", () => [
    {
      Id: "aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111",
      Names: ["/web"],
      Image: "nginx:1.25",
      Command: "/docker-entrypoint.sh nginx -g 'daemon off;'",
      Created: now - 2 * 3600, // hours: the test may run seconds late under load
      Ports: [{ IP: "0.0.0.0", PrivatePort: 80, PublicPort: 8080, Type: "tcp" }],
      Labels: { tier: "front" },
      State: "running",
      Status: "Up 3 seconds",
    },
    {
      Id: "bbbbbbbbbbbb2222222222222222222222222222222222222222222222222222",
      Names: ["/job"],
      Image: "busybox",
      Command: "true",
      Created: now - 120,
      Ports: [],
      Labels: {},
      State: "exited",
      Status: "Exited (0) 5 seconds ago",
    },
  ]);
});
afterEach(async () => daemon.close());

test("ps prints docker's table", async () => {
  const result = await runShoal(daemon.host, ["ps", "-a"]);
  expect(result.stdout).toBe(
    [
      "CONTAINER ID   IMAGE        COMMAND                  CREATED         STATUS                     PORTS                  NAMES",
      `aaaaaaaaaaaa   nginx:1.25   "/docker-entrypoint.…"   2 hours ago     Up 3 seconds               0.0.0.0:8080->80/tcp   web`,
      `bbbbbbbbbbbb   busybox      "true"                   2 minutes ago   Exited (0) 5 seconds ago                          job`,
      "",
    ].join("\n"),
  );
  expect(daemon.calls()).toEqual(["GET /containers/json?all=1"]);
});

test("ps -q prints IDs; --no-trunc full ones; -n and filters go to the query", async () => {
  expect((await runShoal(daemon.host, ["ps", "-q"])).stdout).toBe("aaaaaaaaaaaa\nbbbbbbbbbbbb\n");
  expect((await runShoal(daemon.host, ["ps", "-q", "--no-trunc"])).stdout.split("\n")[0]).toHaveLength(64);
  await runShoal(daemon.host, ["ps", "-n", "2", "-f", "status=exited", "-f", "label=tier"]);
  const query = daemon.requests.at(-1)!.query;
  expect(query.get("limit")).toBe("2");
  expect(JSON.parse(query.get("filters")!)).toEqual({ status: { exited: true }, label: { tier: true } });
  await runShoal(daemon.host, ["ps", "-l"]);
  expect(daemon.requests.at(-1)!.query.get("limit")).toBe("1");
});

test("ps --format renders templates, json and custom tables", async () => {
  expect((await runShoal(daemon.host, ["ps", "--format", "{{.Names}} {{.State}} {{.Label \"tier\"}}"])).stdout).toBe("web running front\njob exited \n");
  const json = (await runShoal(daemon.host, ["ps", "--format", "{{json .}}"])).stdout.split("\n")[0]!;
  expect(JSON.parse(json)).toMatchObject({ ID: "aaaaaaaaaaaa", Names: "web", Ports: "0.0.0.0:8080->80/tcp", Status: "Up 3 seconds", Labels: "tier=front" });
  expect((await runShoal(daemon.host, ["ps", "--format", "json"])).stdout).toBe(`${json}\n${(await runShoal(daemon.host, ["ps", "--format", "{{json .}}"])).stdout.split("\n")[1]}\n`);
  expect((await runShoal(daemon.host, ["ps", "--format", "table {{.Names}}\\t{{.Status}}"])).stdout).toBe(
    "NAMES     STATUS\nweb       Up 3 seconds\njob       Exited (0) 5 seconds ago\n",
  );
  const size = await runShoal(daemon.host, ["ps", "--format", "{{.Size}}"]);
  expect(size.exitCode).toBe(0);
  expect(daemon.requests.at(-1)!.query.get("size")).toBe("1");
});

test("ports read like docker's PORTS column", () => {
  expect(displayablePorts([])).toBe("");
  expect(displayablePorts([{ PrivatePort: 80, Type: "tcp" }, { PrivatePort: 81, Type: "tcp" }, { PrivatePort: 82, Type: "tcp" }])).toBe("80-82/tcp");
  expect(
    displayablePorts([
      { IP: "0.0.0.0", PrivatePort: 80, PublicPort: 80, Type: "tcp" },
      { IP: "::", PrivatePort: 80, PublicPort: 8080, Type: "tcp" },
      { PrivatePort: 53, Type: "udp" },
    ]),
  ).toBe("53/udp, 0.0.0.0:80->80/tcp, [::]:8080->80/tcp");
});
