import { afterEach, beforeEach, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonError, startFakeDaemon, type FakeDaemon } from "../testing/fake-daemon.ts";
import { runShoal } from "../testing/run-shoal.ts";

let daemon: FakeDaemon;
let configDir: string;
beforeEach(async () => {
  daemon = await startFakeDaemon();
  configDir = mkdtempSync(join(tmpdir(), "shoal-docker-config-"));
});
afterEach(async () => {
  await daemon.close();
  rmSync(configDir, { recursive: true, force: true });
});

test("login --password-stdin checks with POST /auth and stores docker's config.json; pull then sends X-Registry-Auth; logout removes it", async () => {
  writeFileSync(join(configDir, "config.json"), JSON.stringify({ psFormat: "table {{.ID}}", auths: { "other.example": { auth: "eDp5" } } }));
  daemon.on("POST", "/auth", () => ({ Status: "Login Succeeded", IdentityToken: "" }));
  const env = { DOCKER_CONFIG: configDir };
  const login = await runShoal(daemon.host, ["login", "-u", "alice", "--password-stdin", "localhost:5000"], { env, stdin: ["s3cret\n"] });
  expect(login.exitCode).toBe(0);
  expect(login.stdout).toBe("Login Succeeded\n");
  expect(login.stderr).toContain("WARNING! Your credentials are stored unencrypted");
  expect(JSON.parse(daemon.requests.find((request) => request.path === "/auth")!.body)).toEqual({ username: "alice", password: "s3cret", serveraddress: "localhost:5000" });
  const path = join(configDir, "config.json");
  const config = JSON.parse(readFileSync(path, "utf8"));
  expect(config).toEqual({ psFormat: "table {{.ID}}", auths: { "other.example": { auth: "eDp5" }, "localhost:5000": { auth: Buffer.from("alice:s3cret").toString("base64") } } });
  expect(statSync(path).mode & 0o777).toBe(0o600);

  daemon.on("POST", "/images/create", () => [200, { status: "Status: Downloaded newer image for localhost:5000/app:1" }]);
  await runShoal(daemon.host, ["pull", "localhost:5000/app:1"], { env });
  const header = daemon.requests.at(-1)!.headers["x-registry-auth"] as string;
  expect(JSON.parse(Buffer.from(header, "base64url").toString())).toEqual({ username: "alice", password: "s3cret", serveraddress: "localhost:5000" });
  await runShoal(daemon.host, ["pull", "busybox"], { env });
  expect(daemon.requests.at(-1)!.headers["x-registry-auth"]).toBeUndefined();

  const logout = await runShoal(daemon.host, ["logout", "localhost:5000"], { env });
  expect(logout.stdout).toBe("Removing login credentials for localhost:5000\n");
  expect(JSON.parse(readFileSync(path, "utf8")).auths).toEqual({ "other.example": { auth: "eDp5" } });
  expect((await runShoal(daemon.host, ["logout"], { env })).stdout).toBe("Not logged in to https://index.docker.io/v1/\n");
});

test("a refused login stores nothing; Docker Hub is the default server; non-TTY login without credentials is refused", async () => {
  daemon.on("POST", "/auth", (_request, res) => jsonError(res, 401, "login attempt to https://registry-1.docker.io/v2/ failed with status: 401 Unauthorized"));
  const env = { DOCKER_CONFIG: configDir };
  const refused = await runShoal(daemon.host, ["login", "-u", "bob", "-p", "wrong"], { env });
  expect(refused.exitCode).toBe(1);
  expect(refused.stderr).toContain("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
  expect(refused.stderr).toContain("Error response from daemon: login attempt to https://registry-1.docker.io/v2/ failed with status: 401 Unauthorized\n");
  expect(JSON.parse(daemon.requests.at(-1)!.body).serveraddress).toBe("https://index.docker.io/v1/");
  expect(() => statSync(join(configDir, "config.json"))).toThrow();
  const interactive = await runShoal(daemon.host, ["login"], { env });
  expect(interactive.stderr).toBe("Error: Cannot perform an interactive login from a non TTY device\n");
  const noUser = await runShoal(daemon.host, ["login", "--password-stdin"], { env, stdin: ["x"] });
  expect(noUser.stderr).toBe("the --password-stdin option requires --username to be set\n");
});
