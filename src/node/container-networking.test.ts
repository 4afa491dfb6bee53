import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ContainerRecord } from "../engine/index.ts";
import { silentLogger } from "../lib/index.ts";
import { BridgeNetworks, type BridgeHost } from "../network/index.ts";
import { bridgeNetworking, networkModeTarget, portMap, publishRequests } from "./container-networking.ts";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A kernel that does nothing: every namespace exists. */
const fakeHost: BridgeHost = {
  enableIpForwarding() {},
  ensureBridge() {},
  deleteBridge() {},
  createNetns: (name) => `/run/netns/${name}`,
  netnsExists: () => true,
  deleteNetns() {},
  ensureEndpointLink() {},
  deleteEndpointLink() {},
  applyRules() {},
};

function openBridges(stateDir = mkdtempSync(join(tmpdir(), "shoal-cn-"))): BridgeNetworks {
  if (!dirs.includes(stateDir)) dirs.push(stateDir);
  return BridgeNetworks.open({ stateDir, host: fakeHost });
}

const ID = "a".repeat(64);
function record(hostConfig: Partial<ContainerRecord["HostConfig"]>, exposed: string[] = []): ContainerRecord {
  return {
    Id: ID,
    Config: { ExposedPorts: Object.fromEntries(exposed.map((key) => [key, {}])) },
    HostConfig: { NetworkMode: "bridge", PortBindings: {}, ...hostConfig },
  } as unknown as ContainerRecord;
}

describe("NetworkMode", () => {
  test("bridge, default and empty mean the network named bridge; none and host are themselves", () => {
    expect(networkModeTarget("bridge")).toEqual({ kind: "bridge", network: "bridge" });
    expect(networkModeTarget("default")).toEqual({ kind: "bridge", network: "bridge" });
    expect(networkModeTarget("")).toEqual({ kind: "bridge", network: "bridge" });
    expect(networkModeTarget("none")).toEqual({ kind: "none" });
    expect(networkModeTarget("host")).toEqual({ kind: "host" });
    expect(networkModeTarget("backend")).toEqual({ kind: "bridge", network: "backend" });
    expect(() => networkModeTarget("container:web")).toThrow("not supported");
  });
});

describe("ports", () => {
  test("PortBindings become publish requests; PublishAllPorts adds the other exposed ports on free host ports", () => {
    const requests = publishRequests(
      record({ PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }], "53/udp": [{ HostIp: "127.0.0.1", HostPort: "" }] }, PublishAllPorts: true }, ["80/tcp", "53/udp", "443/tcp"]),
    );
    expect(requests).toEqual([
      { hostIp: undefined, hostPort: 8080, containerPort: 80, protocol: "tcp" },
      { hostIp: "127.0.0.1", hostPort: 0, containerPort: 53, protocol: "udp" },
      { hostPort: 0, containerPort: 443, protocol: "tcp" },
    ]);
  });

  test("host port ranges are refused clearly", () => {
    expect(() => publishRequests(record({ PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8000-8010" }] } }))).toThrow("port ranges are not supported");
  });

  test("Ports lists exposed ports as null and published ones with their bindings", () => {
    expect(portMap(["80/tcp", "443"], [{ hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80, protocol: "tcp" }])).toEqual({
      "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }],
      "443/tcp": null,
    });
  });
});

describe("bridgeNetworking", () => {
  const predefinedId = (name: string) => `${name}-id`;

  test("attach connects to the default network and answers docker's NetworkSettings; detach releases it", async () => {
    const bridges = openBridges();
    const network = bridges.create({ name: "bridge", subnet: "172.17.0.0/16" });
    const networking = bridgeNetworking({ bridges: () => bridges, predefinedId, logger: silentLogger });
    const attached = await networking.attach(record({ PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }] } }, ["80/tcp"]));
    const endpoint = bridges.endpoints()[0]!;
    expect(attached.netnsPath).toBe(`/run/netns/shoal-${ID.slice(0, 12)}`);
    expect(attached.settings).toEqual({
      SandboxKey: `/run/netns/shoal-${ID.slice(0, 12)}`,
      Ports: { "80/tcp": [{ HostIp: "0.0.0.0", HostPort: "8080" }] },
      Networks: {
        bridge: { NetworkID: network.id, EndpointID: endpoint.endpointId, Gateway: "172.17.0.1", IPAddress: "172.17.0.2", IPPrefixLen: 16, MacAddress: "02:42:ac:11:00:02", Aliases: null },
      },
    });
    await networking.detach(record({}));
    expect(bridges.endpoints()).toEqual([]);
    await networking.detach(record({})); // idempotent
  });

  test("detach finds the endpoint by container ID after a restart", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "shoal-cn-"));
    const first = openBridges(stateDir);
    first.create({ name: "backend" });
    await bridgeNetworking({ bridges: () => first, predefinedId, logger: silentLogger }).attach(record({ NetworkMode: "backend" }));
    const reopened = openBridges(stateDir);
    expect(reopened.endpoints("backend")).toHaveLength(1);
    await bridgeNetworking({ bridges: () => reopened, predefinedId, logger: silentLogger }).detach(record({ NetworkMode: "backend" }));
    expect(reopened.endpoints()).toEqual([]);
  });

  test("a second attach (after a crash) replaces the old endpoint", async () => {
    const bridges = openBridges();
    bridges.create({ name: "bridge" });
    const networking = bridgeNetworking({ bridges: () => bridges, predefinedId, logger: silentLogger });
    await networking.attach(record({ PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }] } }));
    await networking.attach(record({ PortBindings: { "80/tcp": [{ HostIp: "", HostPort: "8080" }] } }));
    expect(bridges.endpoints()).toHaveLength(1);
  });

  test("none is isolated, an unknown network is not found, and without bridges the default network is none", async () => {
    const bridges = openBridges();
    const networking = bridgeNetworking({ bridges: () => bridges, predefinedId, logger: silentLogger });
    const none = await networking.attach(record({ NetworkMode: "none" }));
    expect(none.netnsPath).toBeUndefined();
    expect(Object.keys(none.settings.Networks)).toEqual(["none"]);
    expect(networking.attach(record({ NetworkMode: "nope" }))).rejects.toThrow("network nope not found");
    const disabled = bridgeNetworking({ bridges: () => null, predefinedId, logger: silentLogger });
    expect((await disabled.attach(record({}))).netnsPath).toBeUndefined();
    expect(disabled.attach(record({ NetworkMode: "backend" }))).rejects.toThrow("network backend not found");
  });

  test("host shares the daemon's network namespace", async () => {
    const attached = await bridgeNetworking({ bridges: () => null, predefinedId, logger: silentLogger }).attach(record({ NetworkMode: "host" }));
    expect(attached.netnsPath).toBe(`/proc/${process.pid}/ns/net`);
    expect(attached.settings.Networks.host?.NetworkID).toBe("host-id");
  });
});
