/**
 * The test-host harness itself: three namespace hosts come up with their own addresses,
 * hostnames and daemons, and leave nothing behind, even after a crashed run.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../support/binary.ts";
import { clusterNames, createTestHosts, removeLeftovers, type TestHosts } from "../support/hosts.ts";
import { runQuiet } from "../support/run.ts";

function leftovers(cluster: string, baseDir: string): string[] {
  const names = clusterNames(cluster);
  const found: string[] = [];
  for (const line of runQuiet(["ip", "netns", "list"]).stdout.split("\n")) {
    if (line.startsWith(names.netnsPrefix)) found.push(`netns ${line}`);
  }
  for (const line of runQuiet(["ip", "-o", "link", "show"]).stdout.split("\n")) {
    const name = (line.split(": ")[1] ?? "").split("@")[0] ?? "";
    if (name === names.bridge || name.startsWith(names.vethPrefix)) found.push(`link ${name}`);
  }
  for (const line of runQuiet(["ps", "-eo", "pid,args"]).stdout.split("\n")) {
    if (line.includes(baseDir) && !line.includes("ps -eo")) found.push(`process ${line.trim()}`);
  }
  if (existsSync(baseDir)) found.push(`directory ${baseDir}`);
  return found;
}

describe("three test hosts", () => {
  let hosts: TestHosts | undefined;
  afterAll(async () => hosts?.teardown());

  test("come up, each with its own address, hostname and answering daemon", async () => {
    hosts = await createTestHosts({ cluster: "hosts", subnet: 11 });
    expect(hosts.hosts.map((host) => host.address)).toEqual(["10.99.11.11", "10.99.11.12", "10.99.11.13"]);
    for (const host of hosts.hosts) {
      const info = await host.shoal(["info"]);
      expect(info.stderr).toBe("");
      expect(info.exitCode).toBe(0);
      expect(info.stdout).toContain(` Name: ${host.hostname}\n`);
      expect(info.stdout).toContain(` Docker Root Dir: ${host.dataRoot}\n`);
      const address = await host.exec(["ip", "-4", "-o", "addr", "show", "dev", "eth0"]);
      expect(address.stdout).toContain(`inet ${host.address}/24`);
    }
    const ids = await Promise.all(hosts.hosts.map(async (host) => /ID: (\S+)/.exec((await host.shoal(["info"])).stdout)?.[1]));
    expect(new Set(ids).size).toBe(3);
  }, 120_000);

  test("reach each other and the bridge over their veths", async () => {
    const [first, second, third] = hosts!.hosts;
    for (const [from, to] of [[first!, second!], [second!, third!], [third!, first!]] as const) {
      const ping = await from.exec(["ping", "-c", "1", "-W", "2", to.address]);
      expect(ping.exitCode).toBe(0);
    }
    expect((await first!.exec(["ping", "-c", "1", "-W", "2", hosts!.gateway])).exitCode).toBe(0);
  }, 30_000);

  test("are torn down leaving nothing behind, and a second run right after passes", async () => {
    await hosts!.teardown();
    expect(leftovers("hosts", "/tmp/shoal-hosts")).toEqual([]);
    hosts = await createTestHosts({ cluster: "hosts", subnet: 11 });
    expect((await hosts.hosts[2]!.shoal(["version"])).exitCode).toBe(0);
    await hosts.teardown();
    expect(leftovers("hosts", "/tmp/shoal-hosts")).toEqual([]);
  }, 120_000);
});

test("a run after a crashed one removes what the crash left and comes up", async () => {
  const cluster = "crash";
  const baseDir = `/tmp/shoal-${cluster}`;
  const script = join(REPO_ROOT, "test/support/hosts-crash-fixture.ts");
  // A test process that makes hosts and is then killed -9 before it can tear anything down.
  const child = Bun.spawn([process.execPath, script, cluster], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let said = "";
  while (!said.includes("hosts up")) {
    const { value, done } = await reader.read();
    if (done) break;
    said += new TextDecoder().decode(value);
  }
  expect(said).toContain("hosts up");
  child.kill("SIGKILL");
  await child.exited;
  expect(leftovers(cluster, baseDir).length).toBeGreaterThan(0);

  const hosts = await createTestHosts({ cluster, subnet: 12, count: 2 });
  try {
    expect((await hosts.hosts[1]!.shoal(["info"])).exitCode).toBe(0);
  } finally {
    await hosts.teardown();
  }
  expect(leftovers(cluster, baseDir)).toEqual([]);
  await removeLeftovers(cluster, baseDir);
}, 120_000);
