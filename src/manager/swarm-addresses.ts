import { isIP } from "node:net";
import { ShoalError } from "../lib/index.ts";

/** The port managers listen on unless told otherwise. */
export const DEFAULT_SWARM_PORT = 2377;

/** The default `--listen-addr`. */
export const DEFAULT_LISTEN_ADDR = `0.0.0.0:${DEFAULT_SWARM_PORT}`;

/** A host's network interfaces, shaped as `os.networkInterfaces()` returns them. */
export type InterfaceAddresses = Record<string, readonly { address: string; family: string | number; internal: boolean }[] | undefined>;

/** Where a manager listens and the address other nodes are told to reach it at. */
export interface SwarmAddresses {
  listenHost: string;
  listenPort: number;
  /** `ip:port` other nodes dial (ManagerStatus.Addr). */
  advertiseAddr: string;
  /** The advertised IP alone (Status.Addr, Info.Swarm.NodeAddr). */
  advertiseHost: string;
  /** The address for data traffic (VXLAN), the advertised IP unless `--data-path-addr` says otherwise. */
  dataPathAddr: string;
}

/** What `swarm init` gives: each may be empty. */
export interface AddressRequest {
  listenAddr?: string;
  advertiseAddr?: string;
  dataPathAddr?: string;
}

const BAD_LISTEN = "listen address must be an IP address or network interface (with optional port number)";
const BAD_ADVERTISE = "advertise address must be a non-zero IP address or network interface (with optional port number)";
const BAD_DATA_PATH = "data path address must be a non-zero IP address or network interface";

/** Splits `host[:port]` (`[v6]:port` too); the port is null when absent. */
function splitHostPort(value: string, message: string): { host: string; port: number | null } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(value);
  let host: string;
  let portText: string | undefined;
  if (bracketed) [, host, portText] = bracketed as unknown as [string, string, string | undefined];
  else if (isIP(value) === 6) host = value;
  else {
    const colon = value.lastIndexOf(":");
    host = colon < 0 ? value : value.slice(0, colon);
    portText = colon < 0 ? undefined : value.slice(colon + 1);
  }
  if (!host) throw new ShoalError("invalid_argument", message);
  if (portText === undefined) return { host, port: null };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new ShoalError("invalid_argument", `${message}: invalid port ${JSON.stringify(portText)}`);
  return { host, port };
}

/** An IP as given, or the first IPv4 (else IPv6) address of the interface of that name. */
function ipOf(host: string, interfaces: InterfaceAddresses, message: string): string {
  if (isIP(host)) return host;
  const addresses = interfaces[host];
  if (!addresses) throw new ShoalError("invalid_argument", `${message}: ${JSON.stringify(host)} is neither an IP address nor a network interface of this host`);
  const v4 = addresses.find((entry) => entry.family === "IPv4" || entry.family === 4);
  const chosen = v4 ?? addresses.find((entry) => !entry.address.startsWith("fe80:"));
  if (!chosen) throw new ShoalError("invalid_argument", `interface ${host} has no usable IP address`);
  return chosen.address;
}

function isUnspecified(ip: string): boolean {
  return ip === "0.0.0.0" || ip === "::";
}

/** The one non-loopback IPv4 address of the host, as moby picks when no address is given. */
function systemAddress(interfaces: InterfaceAddresses): string {
  const found: { name: string; address: string }[] = [];
  for (const [name, addresses] of Object.entries(interfaces)) {
    for (const entry of addresses ?? []) {
      if (!entry.internal && (entry.family === "IPv4" || entry.family === 4)) found.push({ name, address: entry.address });
    }
  }
  if (found.length === 0) {
    throw new ShoalError("invalid_argument", "could not find the system's IP address: give one with --advertise-addr");
  }
  if (found.length > 1) {
    const [a, b] = found as [(typeof found)[0], (typeof found)[0]];
    const where = a.name === b.name ? `on interface ${a.name} (${a.address} and ${b.address})` : `on different interfaces (${a.address} on ${a.name} and ${b.address} on ${b.name})`;
    throw new ShoalError("invalid_argument", `could not choose an IP address to advertise since this system has multiple addresses ${where}: give one with --advertise-addr`);
  }
  return found[0]!.address;
}

function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Checks `swarm init`'s addresses and resolves interface names and defaults, with moby's rules and messages. */
export function resolveSwarmAddresses(request: AddressRequest, interfaces: InterfaceAddresses): SwarmAddresses {
  const listen = splitHostPort(request.listenAddr?.trim() || DEFAULT_LISTEN_ADDR, BAD_LISTEN);
  const listenHost = ipOf(listen.host, interfaces, BAD_LISTEN);
  const listenPort = listen.port ?? DEFAULT_SWARM_PORT;
  let advertiseHost: string;
  let advertisePort = listenPort;
  if (request.advertiseAddr?.trim()) {
    const advertise = splitHostPort(request.advertiseAddr.trim(), BAD_ADVERTISE);
    advertiseHost = ipOf(advertise.host, interfaces, BAD_ADVERTISE);
    if (isUnspecified(advertiseHost)) throw new ShoalError("invalid_argument", BAD_ADVERTISE);
    advertisePort = advertise.port ?? listenPort;
  } else {
    advertiseHost = isUnspecified(listenHost) ? systemAddress(interfaces) : listenHost;
  }
  let dataPathAddr = advertiseHost;
  if (request.dataPathAddr?.trim()) {
    dataPathAddr = ipOf(request.dataPathAddr.trim(), interfaces, BAD_DATA_PATH);
    if (isUnspecified(dataPathAddr)) throw new ShoalError("invalid_argument", BAD_DATA_PATH);
  }
  return { listenHost, listenPort, advertiseAddr: hostPort(advertiseHost, advertisePort), advertiseHost, dataPathAddr };
}
