/** The real docker CLI against a shoal daemon: its handshake, version and info. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hostname } from "node:os";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
}, 120_000);
afterAll(async () => daemon?.dispose());

test("the docker CLI is installed (the harness needs it)", async () => {
  const result = await daemon.docker(["--version"]);
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toStartWith("Docker version ");
});

test("docker version negotiates with shoal and shows its engine", async () => {
  const result = await daemon.docker(["version"]);
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toContain("Server: shoal Engine\n Engine:\n  Version:          0.1.0\n");
  expect(result.stdout).toContain("  API version:      1.51 (minimum version 1.24)\n");
  expect(result.stdout).toMatch(/ runc:\n  Version: +1\./);
});

test("docker info shows shoal's figures", async () => {
  const result = await daemon.docker(["info"]);
  expect(result.exitCode).toBe(0);
  for (const line of [" Server Version: 0.1.0", " Swarm: inactive", " Storage Driver: overlayfs", ` Name: ${hostname()}`, ` Docker Root Dir: ${daemon.dataRoot}`, " OSType: linux"]) {
    expect(result.stdout).toContain(line + "\n");
  }
});

test("docker info --format reads shoal's JSON as docker's own types", async () => {
  const result = await daemon.docker(["info", "--format", "{{.ServerVersion}} {{.Swarm.LocalNodeState}} {{.NCPU}}"]);
  expect(result.exitCode).toBe(0);
  expect(result.stdout.trim()).toMatch(/^0\.1\.0 inactive \d+$/);
});

test("a pinned API version older than shoal serves gets shoal's clear error", async () => {
  const result = await daemon.docker(["version"], { env: { DOCKER_API_VERSION: "1.23" } });
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toContain("client version 1.23 is too old. Minimum supported API version is 1.24");
});

test("an older docker API version inside the range is served", async () => {
  const result = await daemon.docker(["version", "--format", "{{.Server.Version}}"], { env: { DOCKER_API_VERSION: "1.41" } });
  expect(result.exitCode).toBe(0);
  expect(result.stdout.trim()).toBe("0.1.0");
});
