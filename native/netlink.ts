/**
 * rtnetlink over bun:ffi, without `ip`: links (bridge, veth), their state, addresses and routes, in
 * the calling thread's network namespace or in a given one. A {@link RouteNetlink} is a socket
 * opened inside its namespace, so its requests act there without switching the thread again.
 */
import { closeSync, openSync } from "node:fs";
import { ShoalError } from "../src/lib/index.ts";
import { attribute, attributeString, ipv4Bytes, ipv4Text, macBytes, macText, nestedAttribute, parseAttributes, stringAttribute, u32Attribute, type ReceivedMessage } from "./netlink-message.ts";
import { inNetns } from "./netlink-netns.ts";
import { NLM_F, NetlinkError, NetlinkSocket } from "./netlink-socket.ts";

const AF_UNSPEC = 0;
const AF_INET = 2;
const RTM = { NEWLINK: 16, DELLINK: 17, GETLINK: 18, NEWADDR: 20, GETADDR: 22, NEWROUTE: 24, GETROUTE: 26 } as const;
const IFLA = { ADDRESS: 1, IFNAME: 3, MTU: 4, MASTER: 10, LINKINFO: 18, NET_NS_FD: 28 } as const;
const IFLA_INFO = { KIND: 1, DATA: 2 } as const;
const VETH_INFO_PEER = 1;
const IFA = { ADDRESS: 1, LOCAL: 2 } as const;
const RTA = { DST: 1, OIF: 4, GATEWAY: 5, TABLE: 15 } as const;
const IFF_UP = 0x1;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RT_SCOPE_UNIVERSE = 0;
const RTN_UNICAST = 1;
const ENODEV = 19;
const EEXIST = 17;

/** What the kernel says about one network interface. */
export interface LinkInfo {
  readonly index: number;
  readonly name: string;
  /** Administratively up (IFF_UP). */
  readonly up: boolean;
  readonly mtu: number;
  /** The hardware address, e.g. 02:42:ac:11:00:02 (empty for links without one). */
  readonly mac: string;
  /** The ifindex of the bridge it is attached to, or null. */
  readonly masterIndex: number | null;
  /** The link kind (bridge, veth, …), or null for physical and loopback links. */
  readonly kind: string | null;
}

/** An IPv4 address assigned to a link. */
export interface LinkAddress {
  readonly linkIndex: number;
  readonly address: string;
  readonly prefixLength: number;
}

/** An IPv4 route of the main table. */
export interface Ipv4Route {
  /** Destination network; `0.0.0.0/0` for the default route. */
  readonly destination: string;
  readonly gateway: string | null;
  readonly linkIndex: number | null;
}

function ifinfomsg(index = 0, flags = 0, change = 0): Buffer {
  const message = Buffer.alloc(16);
  message.writeUInt8(AF_UNSPEC, 0);
  message.writeInt32LE(index, 4);
  message.writeUInt32LE(flags, 8);
  message.writeUInt32LE(change, 12);
  return message;
}

function parseLink(message: ReceivedMessage): LinkInfo {
  const attributes = parseAttributes(message.payload, 16);
  const linkInfo = attributes.get(IFLA.LINKINFO);
  const master = attributes.get(IFLA.MASTER);
  const address = attributes.get(IFLA.ADDRESS);
  return {
    index: message.payload.readInt32LE(4),
    name: attributeString(attributes.get(IFLA.IFNAME)) ?? "",
    up: (message.payload.readUInt32LE(8) & IFF_UP) !== 0,
    mtu: attributes.get(IFLA.MTU)?.readUInt32LE(0) ?? 0,
    mac: address && address.length === 6 ? macText(address) : "",
    masterIndex: master ? master.readUInt32LE(0) || null : null,
    kind: linkInfo ? attributeString(parseAttributes(linkInfo).get(IFLA_INFO.KIND)) ?? null : null,
  };
}

/** An rtnetlink socket bound to one network namespace. Close it when done. */
export class RouteNetlink {
  readonly #socket: NetlinkSocket;

  private constructor(socket: NetlinkSocket) {
    this.#socket = socket;
  }

  /** Opens a socket in the namespace at `netnsPath`, or in the calling thread's namespace when null. */
  static open(netnsPath?: string | null): RouteNetlink {
    return new RouteNetlink(inNetns(netnsPath, () => NetlinkSocket.open()));
  }

  /** Closes the socket; safe to call twice. */
  close(): void {
    this.#socket.close();
  }

  /** The link named `name`, or null when there is none. */
  findLink(name: string): LinkInfo | null {
    try {
      const [reply] = this.#socket.query(`look up link ${name}`, RTM.GETLINK, 0, [ifinfomsg(), stringAttribute(IFLA.IFNAME, name)]);
      return reply ? parseLink(reply) : null;
    } catch (error) {
      if (error instanceof NetlinkError && error.errno === ENODEV) return null;
      throw error;
    }
  }

  /** The ifindex of the link named `name`; not_found when there is none. */
  linkIndex(name: string): number {
    const link = this.findLink(name);
    if (!link) throw new ShoalError("not_found", `network interface ${name} does not exist`);
    return link.index;
  }

  /** Every link of the namespace. */
  listLinks(): LinkInfo[] {
    return this.#socket.query("list links", RTM.GETLINK, NLM_F.DUMP, [ifinfomsg()]).filter((m) => m.type === RTM.NEWLINK).map(parseLink);
  }

  /** Creates a bridge named `name` (down, no address). */
  createBridge(name: string, options: { mtu?: number } = {}): void {
    const attributes = [stringAttribute(IFLA.IFNAME, name), nestedAttribute(IFLA.LINKINFO, stringAttribute(IFLA_INFO.KIND, "bridge"))];
    if (options.mtu) attributes.push(u32Attribute(IFLA.MTU, options.mtu));
    this.#socket.change(`create bridge ${name}`, RTM.NEWLINK, NLM_F.CREATE | NLM_F.EXCL, [ifinfomsg(), ...attributes]);
  }

  /**
   * Creates a veth pair: `name` here, its peer born inside the namespace at `peer.netnsPath` under
   * `peer.name` (e.g. eth0). Both ends start down.
   */
  createVethPair(name: string, peer: { name: string; netnsPath: string; mtu?: number }): void {
    let netnsFd: number;
    try {
      netnsFd = openSync(peer.netnsPath, "r");
    } catch {
      throw new ShoalError("not_found", `create veth ${name}: network namespace ${peer.netnsPath} does not exist`);
    }
    try {
      const mtu = peer.mtu ? [u32Attribute(IFLA.MTU, peer.mtu)] : [];
      const peerInfo = nestedAttribute(VETH_INFO_PEER, ifinfomsg(), stringAttribute(IFLA.IFNAME, peer.name), u32Attribute(IFLA.NET_NS_FD, netnsFd), ...mtu);
      const linkInfo = nestedAttribute(IFLA.LINKINFO, stringAttribute(IFLA_INFO.KIND, "veth"), nestedAttribute(IFLA_INFO.DATA, peerInfo));
      this.#socket.change(`create veth ${name} (peer ${peer.name} in ${peer.netnsPath})`, RTM.NEWLINK, NLM_F.CREATE | NLM_F.EXCL, [
        ifinfomsg(),
        stringAttribute(IFLA.IFNAME, name),
        ...mtu,
        linkInfo,
      ]);
    } finally {
      closeSync(netnsFd);
    }
  }

  /** Deletes the link `name` (a veth takes its peer with it). */
  deleteLink(name: string): void {
    const index = this.linkIndex(name);
    this.#socket.change(`delete link ${name}`, RTM.DELLINK, 0, [ifinfomsg(index)]);
  }

  /** Sets the link `name` administratively up. */
  setLinkUp(name: string): void {
    this.#socket.change(`set link ${name} up`, RTM.NEWLINK, 0, [ifinfomsg(this.linkIndex(name), IFF_UP, IFF_UP)]);
  }

  /** Sets the link `name` administratively down. */
  setLinkDown(name: string): void {
    this.#socket.change(`set link ${name} down`, RTM.NEWLINK, 0, [ifinfomsg(this.linkIndex(name), 0, IFF_UP)]);
  }

  /** Attaches the link `name` to the bridge `master`, or detaches it when `master` is null. */
  setMaster(name: string, master: string | null): void {
    const masterIndex = master === null ? 0 : this.linkIndex(master);
    this.#socket.change(`set link ${name} master ${master ?? "none"}`, RTM.NEWLINK, 0, [ifinfomsg(this.linkIndex(name)), u32Attribute(IFLA.MASTER, masterIndex)]);
  }

  /** Sets the MTU of the link `name`. */
  setMtu(name: string, mtu: number): void {
    this.#socket.change(`set link ${name} mtu ${mtu}`, RTM.NEWLINK, 0, [ifinfomsg(this.linkIndex(name)), u32Attribute(IFLA.MTU, mtu)]);
  }

  /** Sets the hardware address of the link `name` (aa:bb:cc:dd:ee:ff). */
  setMac(name: string, mac: string): void {
    const body = [ifinfomsg(this.linkIndex(name)), attribute(IFLA.ADDRESS, macBytes(mac))];
    this.#socket.change(`set link ${name} address ${mac}`, RTM.NEWLINK, 0, body);
  }

  /** Adds the IPv4 address `address/prefixLength` to the link `name`; with `ifExists`, an equal one is fine. */
  addAddress(name: string, address: string, prefixLength: number, options: { ifExists?: "ignore" } = {}): void {
    const message = Buffer.alloc(8);
    message.writeUInt8(AF_INET, 0);
    message.writeUInt8(prefixLength, 1);
    message.writeUInt32LE(this.linkIndex(name), 4);
    const bytes = ipv4Bytes(address);
    try {
      this.#socket.change(`add address ${address}/${prefixLength} to ${name}`, RTM.NEWADDR, NLM_F.CREATE | NLM_F.EXCL, [
        message,
        attribute(IFA.LOCAL, bytes),
        attribute(IFA.ADDRESS, bytes),
      ]);
    } catch (error) {
      if (options.ifExists === "ignore" && error instanceof NetlinkError && error.errno === EEXIST) return;
      throw error;
    }
  }

  /** The IPv4 addresses of the link `name`, or of every link when `name` is omitted. */
  listAddresses(name?: string): LinkAddress[] {
    const index = name === undefined ? null : this.linkIndex(name);
    const request = Buffer.alloc(8);
    request.writeUInt8(AF_INET, 0);
    return this.#socket
      .query("list addresses", RTM.GETADDR, NLM_F.DUMP, [request])
      .filter((message) => message.type === RTM.NEWADDR)
      .map((message) => {
        const attributes = parseAttributes(message.payload, 8);
        const bytes = attributes.get(IFA.LOCAL) ?? attributes.get(IFA.ADDRESS);
        return { linkIndex: message.payload.readUInt32LE(4), address: bytes ? ipv4Text(bytes) : "", prefixLength: message.payload.readUInt8(1) };
      })
      .filter((address) => index === null || address.linkIndex === index);
  }

  /**
   * Adds an IPv4 route to the main table: to `destination` (CIDR; default 0.0.0.0/0) via `gateway`
   * and/or out of `device`.
   */
  addRoute(route: { destination?: string; gateway?: string; device?: string }): void {
    const [network = "0.0.0.0", prefix = "0"] = (route.destination ?? "0.0.0.0/0").split("/");
    const message = Buffer.alloc(12);
    message.writeUInt8(AF_INET, 0);
    message.writeUInt8(Number(prefix), 1);
    message.writeUInt8(RT_TABLE_MAIN, 4);
    message.writeUInt8(RTPROT_BOOT, 5);
    message.writeUInt8(RT_SCOPE_UNIVERSE, 6);
    message.writeUInt8(RTN_UNICAST, 7);
    const attributes: Buffer[] = [];
    if (Number(prefix) > 0) attributes.push(attribute(RTA.DST, ipv4Bytes(network)));
    if (route.gateway) attributes.push(attribute(RTA.GATEWAY, ipv4Bytes(route.gateway)));
    if (route.device) attributes.push(u32Attribute(RTA.OIF, this.linkIndex(route.device)));
    const text = `add route ${network}/${prefix}${route.gateway ? ` via ${route.gateway}` : ""}${route.device ? ` dev ${route.device}` : ""}`;
    this.#socket.change(text, RTM.NEWROUTE, NLM_F.CREATE | NLM_F.EXCL, [message, ...attributes]);
  }

  /** The IPv4 routes of the main table. */
  listRoutes(): Ipv4Route[] {
    const request = Buffer.alloc(12);
    request.writeUInt8(AF_INET, 0);
    return this.#socket
      .query("list routes", RTM.GETROUTE, NLM_F.DUMP, [request])
      .filter((message) => message.type === RTM.NEWROUTE)
      .map((message) => {
        const attributes = parseAttributes(message.payload, 12);
        const table = attributes.get(RTA.TABLE)?.readUInt32LE(0) ?? message.payload.readUInt8(4);
        const destination = attributes.get(RTA.DST);
        const gateway = attributes.get(RTA.GATEWAY);
        const oif = attributes.get(RTA.OIF);
        return {
          table,
          route: {
            destination: `${destination ? ipv4Text(destination) : "0.0.0.0"}/${message.payload.readUInt8(1)}`,
            gateway: gateway ? ipv4Text(gateway) : null,
            linkIndex: oif ? oif.readUInt32LE(0) : null,
          },
        };
      })
      .filter((entry) => entry.table === RT_TABLE_MAIN)
      .map((entry) => entry.route);
  }
}

/** Opens a {@link RouteNetlink} in `netnsPath` (null: here), runs `work` with it and closes it. */
export function withNetlink<T>(netnsPath: string | null | undefined, work: (netlink: RouteNetlink) => T): T {
  const netlink = RouteNetlink.open(netnsPath);
  try {
    return work(netlink);
  } finally {
    netlink.close();
  }
}
