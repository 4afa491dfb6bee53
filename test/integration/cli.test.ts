/** The shoal CLI's behaviour around its daemon connection, as a user meets it. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { shoalBinary } from "../support/binary.ts";
import { run } from "../support/run.ts";
import { startTestDaemon, type TestDaemon } from "../support/test-daemon.ts";

let binary: string;
let daemon: TestDaemon;
beforeAll(async () => {
  binary = await shoalBinary();
  daemon = await startTestDaemon();
}, 120_000);
afterAll(async () => daemon?.dispose());

const noHostEnv = { SHOAL_HOST: undefined, DOCKER_HOST: undefined };

describe("when no daemon answers", () => {
  test("version prints the client part, then docker's connect error, and exits 1", async () => {
    const result = await run([binary, "-H", "unix:///tmp/shoal-nobody-home.sock", "version"], { env: noHostEnv });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toStartWith("Client:\n Version:");
    expect(result.stderr).toBe("Cannot connect to the shoal daemon at unix:///tmp/shoal-nobody-home.sock. Is the daemon running?\n");
  });

  test("info names the default socket when nothing else is set", async () => {
    const result = await run([binary, "info"], { env: noHostEnv });
    if (result.exitCode === 0) throw new Error("a daemon is serving the default socket /run/shoal/shoal.sock on this machine");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("Cannot connect to the shoal daemon at unix:///run/shoal/shoal.sock. Is the daemon running?\n");
  });
});

describe("choosing the daemon", () => {
  test("SHOAL_HOST is used, and DOCKER_HOST when SHOAL_HOST is unset", async () => {
    const viaShoal = await run([binary, "info"], { env: { SHOAL_HOST: `unix://${daemon.socket}`, DOCKER_HOST: "unix:///nope.sock" } });
    expect(viaShoal.exitCode).toBe(0);
    const viaDocker = await run([binary, "info"], { env: { SHOAL_HOST: undefined, DOCKER_HOST: `unix://${daemon.socket}` } });
    expect(viaDocker.exitCode).toBe(0);
    expect(viaDocker.stdout).toContain(`Docker Root Dir: ${daemon.dataRoot}`);
  });

  test("-H wins over the environment; like docker's, it is a global flag that goes before the command", async () => {
    const env = { SHOAL_HOST: "unix:///nope.sock" };
    expect((await run([binary, "-H", `unix://${daemon.socket}`, "version"], { env })).exitCode).toBe(0);
    // After the command it is that command's flag, as with docker (`docker version -H x` is refused too):
    // container commands take everything after the image as the container's arguments.
    const after = await run([binary, "version", "-H", `unix://${daemon.socket}`], { env });
    expect(after.exitCode).not.toBe(0);
    expect(after.stderr).toContain("unknown option '-H'");
  });

  test("a host that is not a unix socket is refused with what to use", async () => {
    const result = await run([binary, "-H", "tcp://127.0.0.1:2375", "info"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('unsupported host address "tcp://127.0.0.1:2375": use a unix socket such as unix:///run/shoal/shoal.sock');
  });
});

describe("output", () => {
  test("version shows client and server like docker version", async () => {
    const result = await daemon.shoal(["version"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("\nServer: shoal Engine\n Engine:\n  Version:          0.1.0\n");
    expect(result.stdout).toContain("  API version:      1.51 (minimum version 1.24)\n");
    expect(result.stdout).toMatch(/ runc:\n  Version: +\d/);
  });

  test("info shows the server's figures like docker info", async () => {
    const result = await daemon.shoal(["info"]);
    expect(result.exitCode).toBe(0);
    for (const line of [" Server Version: 0.1.0", " Swarm: inactive", " Default Runtime: runc", " OSType: linux", ` Docker Root Dir: ${daemon.dataRoot}`]) {
      expect(result.stdout).toContain(line + "\n");
    }
    expect(result.stdout).toMatch(/ Total Memory: [\d.]+GiB\n/);
  });

  test("an unknown command exits 1 with commander's error", async () => {
    const result = await run([binary, "frobnicate"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
  });
});
