import { afterEach, beforeEach, expect, test } from "bun:test";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";

let daemon: FakeDaemon;
beforeEach(async () => {
  daemon = await startFakeDaemon();
});
afterEach(async () => daemon.close());

test("network create sends docker's body and prints the ID; ls prints docker's table", async () => {
  daemon.on("POST", "/networks/create", () => [201, { Id: "0123456789abcdef0123", Warning: "" }]);
  const created = await runShoal(daemon.host, ["network", "create", "--subnet", "10.5.0.0/24", "--gateway", "10.5.0.1", "--internal", "--label", "a=b", "-o", "com.docker.network.bridge.name=br-app", "app"]);
  expect(created.stdout).toBe("0123456789abcdef0123\n");
  expect(JSON.parse(daemon.requests.at(-1)!.body)).toEqual({
    Name: "app",
    Driver: "bridge",
    Scope: "",
    IPAM: { Driver: "default", Config: [{ Subnet: "10.5.0.0/24", Gateway: "10.5.0.1" }], Options: {} },
    Internal: true,
    Attachable: false,
    Ingress: false,
    ConfigOnly: false,
    Options: { "com.docker.network.bridge.name": "br-app" },
    Labels: { a: "b" },
  });
  daemon.on("GET", "/networks", () => [
    { Name: "bridge", Id: "aaaaaaaaaaaaaaaa", Scope: "local", Driver: "bridge" },
    { Name: "app", Id: "0123456789abcdef0123", Scope: "local", Driver: "bridge" },
  ]);
  expect((await runShoal(daemon.host, ["network", "ls"])).stdout).toBe(
    "NETWORK ID     NAME      DRIVER    SCOPE\n0123456789ab   app       bridge    local\naaaaaaaaaaaa   bridge    bridge    local\n",
  );
  expect((await runShoal(daemon.host, ["network", "ls", "-q", "-f", "driver=bridge"])).stdout).toBe("0123456789ab\naaaaaaaaaaaa\n");
  expect(JSON.parse(daemon.requests.at(-1)!.query.get("filters")!)).toEqual({ driver: { bridge: true } });
});

test("network connect/disconnect/rm/inspect/prune talk docker's API", async () => {
  daemon.on("POST", /\/networks\/app\/(connect|disconnect)/, () => undefined);
  daemon.on("DELETE", /^\/networks\//, (request, res) => (request.path.endsWith("nope") ? jsonError(res, 404, "network nope not found") : undefined));
  daemon.on("GET", "/networks/app", () => ({ Name: "app", Id: "0123", Driver: "bridge" }));
  daemon.on("POST", "/networks/prune", () => ({ NetworksDeleted: ["old"] }));
  await runShoal(daemon.host, ["network", "connect", "--alias", "db", "app", "web"]);
  expect(JSON.parse(daemon.requests.at(-1)!.body)).toEqual({ Container: "web", EndpointConfig: { Aliases: ["db"] } });
  await runShoal(daemon.host, ["network", "disconnect", "-f", "app", "web"]);
  expect(JSON.parse(daemon.requests.at(-1)!.body)).toEqual({ Container: "web", Force: true });
  const rm = await runShoal(daemon.host, ["network", "rm", "app", "nope"]);
  expect(rm.stdout).toBe("app\n");
  expect(rm.stderr).toBe("Error response from daemon: network nope not found\n");
  expect(rm.exitCode).toBe(1);
  expect((await runShoal(daemon.host, ["network", "inspect", "-f", "{{.Driver}}", "app"])).stdout).toBe("bridge\n");
  const prune = await runShoal(daemon.host, ["network", "prune", "-f"]);
  expect(prune.stdout).toBe("Deleted Networks:\nold\n");
  const cancelled = await runShoal(daemon.host, ["network", "prune"], { stdin: ["n\n"] });
  expect(cancelled.stdout).toBe("WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ");
  expect(cancelled.exitCode).toBe(1);
});
