/**
 * Bridge networks against the real kernel, as root. The "host" is a throw-away namespace; a second
 * one, "outside", hangs off it by a veth (10.213.0.1 host ⇄ 10.213.0.2 outside) and plays another
 * machine. Containers are namespaces made by `connect`. Everything is removed afterwards.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteNetns, inNetns, listNftables, withNetlink } from "../../native/index.ts";
import { canPing, createTestNetns, ownTestNetns, removeNetworkTestLeftovers, removeOwnTestNetns, testNetnsPrefix } from "../../test/support/network-netns.ts";
import { tcpGreeter, tcpReaches, udpAsk, udpResponder } from "../../test/support/network-traffic.ts";
import { nativeBridgeHost } from "./bridge-host.ts";
import { BridgeNetworks, type BridgeEndpoint } from "./bridge-networks.ts";

let host: string;
let outside: string;
let stateDir: string;
let networks: BridgeNetworks;
const stops: (() => void)[] = [];

const HOST_ADDRESS = "10.213.0.1";
const OUTSIDE_ADDRESS = "10.213.0.2";

function open(): BridgeNetworks {
  return BridgeNetworks.open({ stateDir, host: nativeBridgeHost({ hostNetnsPath: host }), netnsNamePrefix: `${testNetnsPrefix()}c-` });
}

function containerId(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
}

function rules(): string {
  return listNftables(host);
}

function stateFile(): string {
  return readFileSync(join(stateDir, "bridge-networks.json"), "utf8");
}

beforeAll(() => {
  removeNetworkTestLeftovers();
  host = createTestNetns("host");
  outside = createTestNetns("outside");
  withNetlink(host, (netlink) => {
    netlink.setLinkUp("lo");
    netlink.createVethPair("ext0", { name: "eth0", netnsPath: outside });
    netlink.addAddress("ext0", HOST_ADDRESS, 24);
    netlink.setLinkUp("ext0");
  });
  withNetlink(outside, (netlink) => {
    netlink.setLinkUp("lo");
    netlink.addAddress("eth0", OUTSIDE_ADDRESS, 24);
    netlink.setLinkUp("eth0");
  });
  stateDir = mkdtempSync(join(tmpdir(), "shoal-bridge-test-"));
  networks = open();
});

afterAll(() => {
  for (const stop of stops) stop();
  removeOwnTestNetns(); // the host namespace takes its bridges, veths and nftables table with it
  rmSync(stateDir, { recursive: true, force: true });
  expect(ownTestNetns()).toEqual([]);
});

let front: BridgeEndpoint[];
let other: BridgeEndpoint;

test("creates networks: a bridge up with the gateway, forwarding on, NAT rules in table ip shoal", () => {
  const defaultNetwork = networks.create({ name: "bridge" });
  const frontNetwork = networks.create({ name: "front" });
  expect(defaultNetwork).toMatchObject({ subnet: "172.17.0.0/16", gateway: "172.17.0.1", bridgeName: "shoal0", internal: false });
  expect(frontNetwork).toMatchObject({ subnet: "172.18.0.0/16", gateway: "172.18.0.1", bridgeName: `shbr-${frontNetwork.id.slice(0, 10)}` });
  expect(frontNetwork.id).toMatch(/^[0-9a-f]{64}$/);
  withNetlink(host, (netlink) => {
    const bridge = netlink.findLink(frontNetwork.bridgeName)!;
    expect(bridge).toMatchObject({ kind: "bridge", up: true });
    expect(netlink.listAddresses(frontNetwork.bridgeName)).toEqual([{ linkIndex: bridge.index, address: "172.18.0.1", prefixLength: 16 }]);
  });
  inNetns(host, () => {
    expect(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim()).toBe("1");
    expect(readFileSync(`/proc/sys/net/ipv4/conf/${frontNetwork.bridgeName}/route_localnet`, "utf8").trim()).toBe("1");
  });
  expect(rules()).toContain(`ip saddr 172.18.0.0/16 oifname != "${frontNetwork.bridgeName}" masquerade`);
  expect(networks.list().map((network) => network.name)).toEqual(["bridge", "front"]);
});

test("connects containers: addresses, Docker's MAC, eth0 with a default route; same network talks, others are isolated", () => {
  front = [networks.connect("front", { containerId: containerId() }), networks.connect("front", { containerId: containerId() })];
  other = networks.connect("bridge", { containerId: containerId() });
  const [a, b] = front as [BridgeEndpoint, BridgeEndpoint];
  expect(a).toMatchObject({ ipAddress: "172.18.0.2", prefixLen: 16, gateway: "172.18.0.1", macAddress: "02:42:ac:12:00:02", interfaceName: "eth0" });
  expect(a.netnsPath).toBe(`/run/netns/${testNetnsPrefix()}c-${a.containerId.slice(0, 12)}`);
  expect(a.endpointId).toMatch(/^[0-9a-f]{64}$/);
  expect(b.ipAddress).toBe("172.18.0.3");
  withNetlink(a.netnsPath, (netlink) => {
    expect(netlink.findLink("eth0")).toMatchObject({ up: true, mac: "02:42:ac:12:00:02" });
    expect(netlink.findLink("lo")!.up).toBe(true);
    expect(netlink.listRoutes()).toContainEqual(expect.objectContaining({ destination: "0.0.0.0/0", gateway: "172.18.0.1" }));
  });
  withNetlink(host, (netlink) => {
    const bridge = netlink.findLink(networks.network("front").bridgeName)!;
    expect(netlink.findLink(`veth${a.endpointId.slice(0, 7)}`)).toMatchObject({ masterIndex: bridge.index, up: true });
  });
  expect(canPing(a.netnsPath, b.ipAddress)).toBe(true);
  expect(canPing(b.netnsPath, "172.18.0.1")).toBe(true);
  expect(canPing(other.netnsPath, "172.17.0.1")).toBe(true);
  expect(canPing(other.netnsPath, a.ipAddress)).toBe(false);
});

test("masquerades a container's traffic to the outside behind the host's address", async () => {
  const greeter = tcpGreeter(outside, 7000, "outside\n");
  stops.push(greeter.stop);
  expect(await tcpReaches(front[0]!.netnsPath, OUTSIDE_ADDRESS, 7000, "outside\n")).toBe(true);
  expect(greeter.clients).toEqual([HOST_ADDRESS]);
});

test("an internal network reaches neither the outside nor is masqueraded", async () => {
  networks.create({ name: "back", subnet: "10.77.0.0/24", internal: true });
  const inside = networks.connect("back", { containerId: containerId() });
  expect(inside.ipAddress).toBe("10.77.0.2");
  expect(await tcpReaches(inside.netnsPath, OUTSIDE_ADDRESS, 7000, "outside\n", 300)).toBe(false);
  expect(rules()).not.toContain("ip saddr 10.77.0.0/24");
  networks.disconnect(inside.endpointId);
  networks.remove("back");
});

test("publishes TCP and UDP ports: reached from another machine, from the host's own address and from 127.0.0.1", async () => {
  const [a] = front as [BridgeEndpoint];
  const server = tcpGreeter(a.netnsPath, 80, "hello from a\n");
  stops.push(server.stop);
  const udp = await udpResponder(a.netnsPath, 53, "answer from a");
  stops.push(udp.stop);
  const published = networks.publish(a.endpointId, [
    { hostPort: 8080, containerPort: 80 },
    { hostPort: 5353, containerPort: 53, protocol: "udp" },
    { hostPort: 0, containerPort: 80 },
  ]);
  expect(published).toEqual([
    { hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80, protocol: "tcp" },
    { hostIp: "0.0.0.0", hostPort: 5353, containerPort: 53, protocol: "udp" },
    { hostIp: "0.0.0.0", hostPort: 32768, containerPort: 80, protocol: "tcp" },
  ]);
  expect(await tcpReaches(outside, HOST_ADDRESS, 8080, "hello from a\n")).toBe(true);
  expect(await tcpReaches(outside, HOST_ADDRESS, 32768, "hello from a\n")).toBe(true);
  expect(await tcpReaches(host, HOST_ADDRESS, 8080, "hello from a\n")).toBe(true);
  expect(await tcpReaches(host, "127.0.0.1", 8080, "hello from a\n")).toBe(true);
  expect(await tcpReaches(front[1]!.netnsPath, a.ipAddress, 80, "hello from a\n")).toBe(true);
  expect(await udpAsk(outside, HOST_ADDRESS, 5353)).toBe("answer from a");
  expect(await udpAsk(host, "127.0.0.1", 5353)).toBe("answer from a");
  expect(networks.endpoint(a.endpointId).publishedPorts).toHaveLength(3);
});

test("refuses a host port another container holds, with Docker's words, and changes nothing", () => {
  const before = { rules: rules(), state: stateFile() };
  expect(() => networks.publish(front[1]!.endpointId, [{ hostPort: 9090, containerPort: 80 }, { hostPort: 8080, containerPort: 80 }])).toThrow(
    "Bind for 0.0.0.0:8080 failed: port is already allocated",
  );
  expect(() => networks.connect("front", { containerId: containerId(), publishedPorts: [{ hostPort: 5353, containerPort: 1, protocol: "udp" }] })).toThrow(
    "Bind for 0.0.0.0:5353 failed: port is already allocated",
  );
  expect({ rules: rules(), state: stateFile() }).toEqual(before);
  expect(networks.endpoints("front")).toHaveLength(2);
});

test("refuses to remove a network with endpoints, and bad input, changing nothing", () => {
  const before = { rules: rules(), state: stateFile(), links: withNetlink(host, (netlink) => netlink.listLinks().length) };
  expect(() => networks.remove("front")).toThrow(/error while removing network: network front id [0-9a-f]{64} has active endpoints \(2\)/);
  expect(() => networks.create({ name: "bad", subnet: "10.1.0.0/33" })).toThrow("invalid CIDR address: 10.1.0.0/33");
  expect(() => networks.create({ name: "overlap", subnet: "172.18.4.0/24" })).toThrow("Pool overlaps with other one on this address space");
  expect(() => networks.create({ name: "front" })).toThrow("network with name front already exists");
  expect(() => networks.create({ name: "gw", subnet: "10.9.0.0/24", gateway: "10.8.0.1" })).toThrow("invalid gateway 10.8.0.1");
  expect(() => networks.connect("nosuch", { containerId: containerId() })).toThrow("network nosuch not found");
  expect(() => networks.connect("front", { containerId: containerId(), ipAddress: "172.18.0.2" })).toThrow("Address already in use: 172.18.0.2");
  expect(() => networks.disconnect("nosuch")).toThrow("endpoint nosuch not found");
  expect({ rules: rules(), state: stateFile(), links: withNetlink(host, (netlink) => netlink.listLinks().length) }).toEqual(before);
});

test("a restarted manager keeps endpoints and rules, re-creates a missing bridge and releases endpoints whose namespace is gone", async () => {
  const frontBridge = networks.network("front").bridgeName;
  const endpointsBefore = networks.endpoints();
  const rulesBefore = rules();
  const gone = networks.connect("front", { containerId: containerId(), publishedPorts: [{ hostPort: 9999, containerPort: 80 }] });
  // While the daemon is down: someone removes the bridge, and a container's namespace disappears.
  withNetlink(host, (netlink) => netlink.deleteLink(frontBridge));
  deleteNetns(gone.netnsPath);
  networks = open();
  expect(networks.endpoints()).toEqual(endpointsBefore);
  expect(rules()).toBe(rulesBefore);
  expect(stateFile()).not.toContain(gone.endpointId);
  expect(canPing(front[0]!.netnsPath, front[1]!.ipAddress)).toBe(true);
  expect(await tcpReaches(outside, HOST_ADDRESS, 8080, "hello from a\n")).toBe(true);
});

test("unpublishes, disconnects (veth, address and namespace go) and removes networks down to no table", async () => {
  const [a, b] = front as [BridgeEndpoint, BridgeEndpoint];
  networks.unpublish(a.endpointId, [{ hostPort: 8080 }]);
  expect(networks.endpoint(a.endpointId).publishedPorts.map((port) => port.hostPort)).toEqual([5353, 32768]);
  expect(await tcpReaches(outside, HOST_ADDRESS, 8080, "hello from a\n", 300)).toBe(false);
  networks.unpublish(a.endpointId);
  expect(rules()).not.toContain("dnat to");

  for (const stop of stops.splice(0)) stop();
  networks.disconnect(b.endpointId);
  expect(ownTestNetns()).not.toContain(b.netnsPath);
  expect(withNetlink(host, (netlink) => netlink.findLink(`veth${b.endpointId.slice(0, 7)}`))).toBeNull();
  const again = networks.connect("front", { containerId: containerId() });
  expect(again.ipAddress).toBe(b.ipAddress); // the released address is handed out again
  for (const endpoint of [a, again, other]) networks.disconnect(endpoint.endpointId);
  networks.remove("front");
  networks.remove("bridge");
  expect(networks.list()).toEqual([]);
  expect(rules()).not.toContain("table ip shoal");
  expect(withNetlink(host, (netlink) => netlink.listLinks().map((link) => link.name)).sort()).toEqual(["ext0", "lo"]);
  expect(ownTestNetns().sort()).toEqual([host, outside].sort());
});
