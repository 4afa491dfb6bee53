/**
 * The real docker CLI on bridge networks of namespace test hosts: the predefined networks, a
 * published port reached from another host, two containers of a user network reaching each other,
 * and nothing left once the containers are gone. `host.exec` runs in the host's namespace (nsenter
 * --net); busybox wget is used without -T, which crashes the busybox 1.35 of Debian 12.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { removeContainersUnder } from "../support/container-cleanup.ts";
import { dockerOk as docker } from "../support/host-commands.ts";
import { createTestHosts, type TestHost, type TestHosts } from "../support/hosts.ts";
import { busyboxImage, dockerSaveArchive } from "../support/image-archives.ts";

const IMAGE = "shoal-test/busybox:net";
let hosts: TestHosts;
let first: TestHost;
let second: TestHost;

beforeAll(async () => {
  hosts = await createTestHosts({ cluster: "dnet", subnet: 23, count: 2 });
  [first, second] = hosts.hosts as [TestHost, TestHost];
  const image = await busyboxImage(["sh"]);
  const archive = join(dirname(first.dataRoot), "busybox.tar");
  writeFileSync(archive, await dockerSaveArchive([IMAGE], image.config, image.layer));
  await docker(first, ["load", "-i", archive]);
}, 180_000);

afterAll(async () => {
  if (!hosts) return;
  for (const host of hosts.hosts) {
    const ids = (await host.docker(["ps", "-aq"])).stdout.split("\n").filter(Boolean);
    if (ids.length > 0) await host.docker(["rm", "-f", ...ids]);
    removeContainersUnder(dirname(host.dataRoot), join(host.execRoot, "runtime", "runc"));
  }
  await hosts.teardown();
}, 120_000);

describe("docker networks on shoal", () => {
  test("docker network ls shows bridge, host and none", async () => {
    const listing = await docker(first, ["network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}"]);
    expect(listing.split("\n").sort()).toEqual(["bridge bridge local", "host host local", "none null local"]);
    const subnet = await docker(first, ["network", "inspect", "bridge", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{index .Options \"com.docker.network.bridge.name\"}}"]);
    expect(subnet).toBe("172.17.0.0/16 172.17.0.1 shoal0");
  }, 30_000);

  test("a published port answers from another host", async () => {
    const id = await docker(first, ["run", "-d", "--name", "web", "-p", "8080:80", IMAGE, "sh", "-c", "echo hello > /index.html && busybox httpd -f -p 80 -h /"]);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const port = await docker(first, ["port", "web", "80"]);
    expect(port.split("\n")[0]).toBe("0.0.0.0:8080");
    const ip = await docker(first, ["inspect", "-f", "{{.NetworkSettings.Networks.bridge.IPAddress}}", "web"]);
    expect(ip).toMatch(/^172\.17\.0\.\d+$/);
    let body = "";
    for (let attempt = 0; attempt < 30 && body !== "hello"; attempt++) {
      const fetched = await second.exec(["timeout", "5", "busybox", "wget", "-qO-", `http://${first.address}:8080/`]);
      body = fetched.stdout.trim();
      if (body !== "hello") await Bun.sleep(200);
    }
    expect(body).toBe("hello");
    const listing = await docker(first, ["network", "inspect", "bridge", "-f", "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}"]);
    expect(listing).toBe(`web ${ip}/16`);
  }, 60_000);

  test("two containers on a user network reach each other by IP; the network cannot go while in use", async () => {
    const netId = await docker(first, ["network", "create", "--label", "team=e2e", "backend"]);
    expect(netId).toMatch(/^[0-9a-f]{64}$/);
    expect((await first.docker(["network", "create", "backend"])).stderr).toContain("network with name backend already exists");
    await docker(first, ["run", "-d", "--name", "c1", "--network", "backend", IMAGE, "busybox", "sleep", "300"]);
    await docker(first, ["run", "-d", "--name", "c2", "--network", "backend", IMAGE, "busybox", "sleep", "300"]);
    const ip2 = await docker(first, ["inspect", "-f", "{{.NetworkSettings.Networks.backend.IPAddress}}", "c2"]);
    expect(ip2).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const ping = await first.docker(["exec", "c1", "busybox", "ping", "-c1", "-W2", ip2]);
    expect(ping.stderr).toBe("");
    expect(ping.exitCode).toBe(0);
    expect((await docker(first, ["network", "ls", "--filter", "label=team=e2e", "--format", "{{.Name}}"]))).toBe("backend");
    const refused = await first.docker(["network", "rm", "backend"]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("has active endpoints");
    const predefined = await first.docker(["network", "rm", "bridge"]);
    expect(predefined.stderr).toContain("bridge is a pre-defined network and cannot be removed");
  }, 60_000);

  test("docker network connect joins a running container to another network; disconnect leaves it", async () => {
    await docker(first, ["network", "create", "frontend"]);
    await docker(first, ["network", "connect", "frontend", "c1"]);
    const ip1 = await docker(first, ["inspect", "-f", "{{.NetworkSettings.Networks.frontend.IPAddress}}", "c1"]);
    expect(ip1).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(await docker(first, ["exec", "c1", "sh", "-c", "busybox ip -o -4 addr show eth1 | busybox wc -l"])).toBe("1");
    await docker(first, ["run", "-d", "--name", "c3", "--network", "frontend", IMAGE, "busybox", "sleep", "300"]);
    expect((await first.docker(["exec", "c3", "busybox", "ping", "-c1", "-W2", ip1])).exitCode).toBe(0);
    const again = await first.docker(["network", "connect", "frontend", "c1"]);
    expect(again.exitCode).not.toBe(0);
    expect(again.stderr).toContain("already exists in network frontend");
    const primary = await first.docker(["network", "disconnect", "backend", "c1"]);
    expect(primary.exitCode).not.toBe(0);
    expect(primary.stderr).toContain("stop it before disconnecting");
    await docker(first, ["network", "disconnect", "frontend", "c1"]);
    expect(await docker(first, ["inspect", "-f", "{{len .NetworkSettings.Networks}}", "c1"])).toBe("1");
    expect((await first.docker(["exec", "c3", "busybox", "ping", "-c1", "-W1", ip1])).exitCode).not.toBe(0);
    await docker(first, ["rm", "-f", "c3"]);
    expect(await docker(first, ["network", "rm", "frontend"])).toBe("frontend");
  }, 60_000);

  test("after docker rm -f the endpoints, namespaces and ports are gone, and the network can be removed", async () => {
    const ids = (await docker(first, ["ps", "-aq", "--no-trunc"])).split("\n").filter(Boolean);
    expect(ids.length).toBe(3);
    await docker(first, ["rm", "-f", "web", "c1", "c2"]);
    for (const id of ids) expect(existsSync(`/run/netns/shoal-${id.slice(0, 12)}`)).toBe(false);
    expect(await docker(first, ["network", "inspect", "backend", "-f", "{{len .Containers}}"])).toBe("0");
    expect(await docker(first, ["network", "inspect", "bridge", "-f", "{{len .Containers}}"])).toBe("0");
    const fetched = await second.exec(["timeout", "5", "busybox", "wget", "-qO-", `http://${first.address}:8080/`]);
    expect(fetched.exitCode).not.toBe(0);
    expect(await docker(first, ["network", "rm", "backend"])).toBe("backend");
    expect((await docker(first, ["network", "ls", "--format", "{{.Name}}"])).split("\n").sort()).toEqual(["bridge", "host", "none"]);
  }, 60_000);
});
