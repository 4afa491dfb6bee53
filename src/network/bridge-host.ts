/**
 * The kernel side of bridge networks as one small interface, so the manager's logic does not care
 * how links, namespaces and rules are made. Every method is synchronous and idempotent where its
 * name says "ensure"; `nativeBridgeHost` is the real one (rtnetlink and libnftables via native/).
 */
import { writeFileSync } from "node:fs";
import { ShoalError } from "../lib/index.ts";
import { RouteNetlink, applyNftables, createNetns, deleteNetns, inNetns, netnsExists, withNetlink } from "../../native/index.ts";

/** A bridge as the kernel should have it: up, with the gateway address. */
export interface BridgeLink {
  readonly name: string;
  readonly gateway: string;
  readonly prefixLength: number;
  readonly mtu: number;
}

/** One endpoint's veth pair as the kernel should have it. */
export interface EndpointLink {
  readonly hostVeth: string;
  readonly bridgeName: string;
  readonly netnsPath: string;
  readonly interfaceName: string;
  readonly ipAddress: string;
  readonly prefixLength: number;
  readonly gateway: string;
  readonly macAddress: string;
  readonly mtu: number;
}

/** What bridge networks need from the host's kernel. */
export interface BridgeHost {
  /** Turns on net.ipv4.ip_forward. */
  enableIpForwarding(): void;
  /** Makes the bridge exist, up, with its gateway address and route_localnet=1 (keeps an existing one). */
  ensureBridge(bridge: BridgeLink): void;
  /** Removes the bridge; a missing one is fine. */
  deleteBridge(name: string): void;
  /** Creates the named network namespace and returns its path. */
  createNetns(name: string): string;
  /** True when a network namespace is mounted at `path`. */
  netnsExists(path: string): boolean;
  /** Removes the network namespace at `path`; a missing one is fine. */
  deleteNetns(path: string): void;
  /** Makes the veth pair exist and be attached to its bridge; creates and configures it when missing. */
  ensureEndpointLink(link: EndpointLink): void;
  /** Removes the endpoint's veth pair; a missing one is fine. */
  deleteEndpointLink(hostVeth: string): void;
  /** Applies an nftables ruleset (nft -f syntax) atomically. */
  applyRules(ruleset: string): void;
}

function configureContainerSide(link: EndpointLink): void {
  withNetlink(link.netnsPath, (netlink) => {
    netlink.setMac(link.interfaceName, link.macAddress);
    netlink.addAddress(link.interfaceName, link.ipAddress, link.prefixLength);
    netlink.setLinkUp("lo");
    netlink.setLinkUp(link.interfaceName);
    if (!netlink.listRoutes().some((route) => route.destination === "0.0.0.0/0")) {
      netlink.addRoute({ gateway: link.gateway, device: link.interfaceName });
    }
  });
}

function deleteQuietly(netlink: RouteNetlink, name: string): void {
  try {
    if (netlink.findLink(name)) netlink.deleteLink(name);
  } catch {
    // best effort while undoing a failed step; the original error is what the caller sees
  }
}

/** The real host: acts in the network namespace at `hostNetnsPath` (default: the daemon's own). */
export function nativeBridgeHost(options: { hostNetnsPath?: string | null } = {}): BridgeHost {
  const hostNetns = options.hostNetnsPath ?? null;
  const sysctl = (key: string, value: string) => inNetns(hostNetns, () => writeFileSync(`/proc/sys/net/${key}`, value));
  return {
    enableIpForwarding: () => sysctl("ipv4/ip_forward", "1"),
    ensureBridge(bridge) {
      withNetlink(hostNetns, (netlink) => {
        const existing = netlink.findLink(bridge.name);
        if (existing && existing.kind !== "bridge") {
          throw new ShoalError("failed_precondition", `network interface ${bridge.name} exists and is not a bridge; remove it or choose another bridge name`);
        }
        if (!existing) netlink.createBridge(bridge.name, { mtu: bridge.mtu });
        netlink.addAddress(bridge.name, bridge.gateway, bridge.prefixLength, { ifExists: "ignore" });
        netlink.setLinkUp(bridge.name);
      });
      sysctl(`ipv4/conf/${bridge.name}/route_localnet`, "1");
    },
    deleteBridge(name) {
      withNetlink(hostNetns, (netlink) => {
        if (netlink.findLink(name)) netlink.deleteLink(name);
      });
    },
    createNetns: (name) => createNetns(name),
    netnsExists: (path) => netnsExists(path),
    deleteNetns: (path) => deleteNetns(path),
    ensureEndpointLink(link) {
      withNetlink(hostNetns, (netlink) => {
        if (!netlink.findLink(link.hostVeth)) {
          withNetlink(link.netnsPath, (inside) => deleteQuietly(inside, link.interfaceName)); // half-made by a crash
          netlink.createVethPair(link.hostVeth, { name: link.interfaceName, netnsPath: link.netnsPath, mtu: link.mtu });
          try {
            configureContainerSide(link);
          } catch (error) {
            deleteQuietly(netlink, link.hostVeth);
            throw error;
          }
        }
        netlink.setMaster(link.hostVeth, link.bridgeName);
        netlink.setLinkUp(link.hostVeth);
      });
    },
    deleteEndpointLink(hostVeth) {
      withNetlink(hostNetns, (netlink) => {
        if (netlink.findLink(hostVeth)) netlink.deleteLink(hostVeth);
      });
    },
    applyRules: (ruleset) => applyNftables(ruleset, hostNetns),
  };
}
