import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readlinkSync } from "node:fs";
import { canPing, createTestNetns, removeNetworkTestLeftovers, removeOwnTestNetns } from "../test/support/network-netns.ts";
import { deleteNetns, inNetns, netnsExists } from "./netlink-netns.ts";
import { RouteNetlink, withNetlink } from "./netlink.ts";
import { NetlinkError } from "./netlink-socket.ts";

let host: string;
let guest: string;

beforeAll(() => {
  removeNetworkTestLeftovers();
  host = createTestNetns("nl-host");
  guest = createTestNetns("nl-guest");
});

afterAll(() => removeOwnTestNetns());

function ipJson(netnsPath: string, args: string[]): unknown {
  const result = Bun.spawnSync(["nsenter", `--net=${netnsPath}`, "ip", "-j", ...args]);
  return JSON.parse(result.stdout.toString() || "[]");
}

test("creates a named namespace the way ip netns add does and removes it", () => {
  const path = createTestNetns("nl-extra");
  expect(netnsExists(path)).toBe(true);
  const before = readlinkSync("/proc/thread-self/ns/net");
  const inside = inNetns(path, () => readlinkSync("/proc/thread-self/ns/net"));
  expect(inside).not.toBe(before);
  expect(readlinkSync("/proc/thread-self/ns/net")).toBe(before);
  expect(withNetlink(path, (netlink) => netlink.listLinks().map((link) => link.name))).toEqual(["lo"]);
  deleteNetns(path);
  expect(existsSync(path)).toBe(false);
  deleteNetns(path); // twice is fine
});

test("switches back to the original namespace when the work throws", () => {
  const before = readlinkSync("/proc/thread-self/ns/net");
  expect(() =>
    inNetns(host, () => {
      throw new Error("boom");
    }),
  ).toThrow("boom");
  expect(readlinkSync("/proc/thread-self/ns/net")).toBe(before);
  expect(() => inNetns("/run/netns/shoal-nettest-does-not-exist", () => 1)).toThrow("does not exist");
});

test("builds a bridge with a veth whose peer is born renamed in another namespace, and traffic flows", () => {
  withNetlink(host, (netlink) => {
    netlink.createBridge("nlbr0");
    netlink.setMtu("nlbr0", 1400);
    netlink.setMac("nlbr0", "02:42:0a:0b:00:01");
    netlink.addAddress("nlbr0", "10.211.0.1", 24);
    netlink.addAddress("nlbr0", "10.211.0.1", 24, { ifExists: "ignore" });
    netlink.setLinkUp("nlbr0");
    netlink.createVethPair("nlveth0", { name: "eth0", netnsPath: guest, mtu: 1400 });
    netlink.setMaster("nlveth0", "nlbr0");
    netlink.setLinkUp("nlveth0");

    const bridge = netlink.findLink("nlbr0")!;
    expect(bridge).toMatchObject({ name: "nlbr0", up: true, mtu: 1400, mac: "02:42:0a:0b:00:01", kind: "bridge", masterIndex: null });
    expect(netlink.findLink("nlveth0")).toMatchObject({ kind: "veth", masterIndex: bridge.index, up: true });
    expect(netlink.listAddresses("nlbr0")).toEqual([{ linkIndex: bridge.index, address: "10.211.0.1", prefixLength: 24 }]);
    expect(netlink.findLink("eth0")).toBeNull();
  });
  withNetlink(guest, (netlink) => {
    netlink.setMac("eth0", "02:42:0a:d3:00:02");
    netlink.addAddress("eth0", "10.211.0.2", 24);
    netlink.setLinkUp("lo");
    netlink.setLinkUp("eth0");
    netlink.addRoute({ gateway: "10.211.0.1" });
    const eth0 = netlink.findLink("eth0")!;
    expect(eth0).toMatchObject({ up: true, mtu: 1400, mac: "02:42:0a:d3:00:02", kind: "veth" });
    expect(netlink.listRoutes()).toContainEqual({ destination: "0.0.0.0/0", gateway: "10.211.0.1", linkIndex: eth0.index });
  });

  // Cross-check with iproute2 (tests only).
  const [bridgeView] = ipJson(host, ["-d", "link", "show", "nlbr0"]) as { mtu: number; address: string; linkinfo: { info_kind: string } }[];
  expect(bridgeView).toMatchObject({ mtu: 1400, address: "02:42:0a:0b:00:01", linkinfo: { info_kind: "bridge" } });
  const [eth0View] = ipJson(guest, ["addr", "show", "eth0"]) as { addr_info: { local: string; prefixlen: number }[] }[];
  expect(eth0View!.addr_info).toContainEqual(expect.objectContaining({ local: "10.211.0.2", prefixlen: 24 }));

  expect(canPing(guest, "10.211.0.1")).toBe(true);
  expect(canPing(host, "10.211.0.2")).toBe(true);

  withNetlink(host, (netlink) => {
    netlink.setMaster("nlveth0", null);
    expect(netlink.findLink("nlveth0")!.masterIndex).toBeNull();
    netlink.setLinkDown("nlveth0");
    expect(netlink.findLink("nlveth0")!.up).toBe(false);
    netlink.deleteLink("nlveth0");
    expect(netlink.findLink("nlveth0")).toBeNull();
    netlink.deleteLink("nlbr0");
  });
  expect(withNetlink(guest, (netlink) => netlink.findLink("eth0"))).toBeNull(); // the peer went with it
});

test("reports the kernel's refusal with the operation, errno text and code", () => {
  const netlink = RouteNetlink.open(host);
  try {
    netlink.createBridge("nlbr1");
    let error: unknown;
    try {
      netlink.createBridge("nlbr1");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NetlinkError);
    expect((error as NetlinkError).code).toBe("already_exists");
    expect((error as NetlinkError).message).toMatch(/^create bridge nlbr1: File exists \(errno 17\)/);
    expect(() => netlink.deleteLink("nope0")).toThrow("network interface nope0 does not exist");
    expect(() => netlink.setMtu("nlbr1", 10)).toThrow(/set link nlbr1 mtu 10: Invalid argument \(errno 22\)/);
    expect(() => netlink.addAddress("nlbr1", "10.300.0.1", 24)).toThrow("is not an IPv4 address");
    netlink.deleteLink("nlbr1");
  } finally {
    netlink.close();
  }
});
