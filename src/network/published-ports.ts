/**
 * Published ports of bridge endpoints: checking requests, refusing a host port another container
 * holds (Docker's "port is already allocated"), and picking a free one for host port 0.
 */
import { ShoalError } from "../lib/index.ts";
import { tryParseIpv4 } from "./ipv4.ts";

/** Transport protocols a port can be published for. */
export type PortProtocol = "tcp" | "udp";

/** A request to publish a container port; `hostPort` 0 (or absent) asks for a free ephemeral port. */
export interface PortPublishRequest {
  /** The host address to accept on; 0.0.0.0 (the default) means every local address. */
  readonly hostIp?: string;
  readonly hostPort?: number;
  readonly containerPort: number;
  readonly protocol?: PortProtocol;
}

/** A published port as it is in force: every field resolved. */
export interface PublishedPort {
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
  readonly protocol: PortProtocol;
}

/** Docker's ephemeral range for host port 0 (Linux's ip_local_port_range default). */
export const EPHEMERAL_PORTS = { first: 32768, last: 60999 } as const;

const ANY_ADDRESS = "0.0.0.0";

function checkPort(port: number, what: string, allowZero: boolean): void {
  if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new ShoalError("invalid_argument", `invalid ${what} ${port}: use a number from ${allowZero ? 0 : 1} to 65535`);
  }
}

/** True when two published ports would receive the same packets. */
export function portsClash(a: PublishedPort, b: Pick<PublishedPort, "hostIp" | "hostPort" | "protocol">): boolean {
  return a.protocol === b.protocol && a.hostPort === b.hostPort && (a.hostIp === b.hostIp || a.hostIp === ANY_ADDRESS || b.hostIp === ANY_ADDRESS);
}

/**
 * Resolves `requests` against the ports already published (`taken`): checks each, gives host port
 * 0 the lowest free ephemeral port, and refuses any clash. All or nothing.
 */
export function resolvePublishRequests(requests: readonly PortPublishRequest[], taken: readonly PublishedPort[]): PublishedPort[] {
  const resolved: PublishedPort[] = [];
  for (const request of requests) {
    const hostIp = request.hostIp?.trim() || ANY_ADDRESS;
    if (tryParseIpv4(hostIp) === null) throw new ShoalError("invalid_argument", `invalid host IP ${JSON.stringify(request.hostIp)}: use an IPv4 address`);
    const protocol = request.protocol ?? "tcp";
    if (protocol !== "tcp" && protocol !== "udp") throw new ShoalError("invalid_argument", `invalid protocol ${JSON.stringify(protocol)}: use tcp or udp`);
    checkPort(request.containerPort, "container port", false);
    const requestedHostPort = request.hostPort ?? 0;
    checkPort(requestedHostPort, "host port", true);
    const inUse = [...taken, ...resolved];
    let hostPort = requestedHostPort;
    if (hostPort === 0) {
      hostPort = EPHEMERAL_PORTS.first;
      while (hostPort <= EPHEMERAL_PORTS.last && inUse.some((port) => portsClash(port, { hostIp, hostPort, protocol }))) hostPort++;
      if (hostPort > EPHEMERAL_PORTS.last) {
        throw new ShoalError("resource_exhausted", `no free host port in ${EPHEMERAL_PORTS.first}-${EPHEMERAL_PORTS.last} for ${protocol}; unpublish some ports`);
      }
    } else if (inUse.some((port) => portsClash(port, { hostIp, hostPort, protocol }))) {
      throw new ShoalError("already_exists", `Bind for ${hostIp}:${hostPort} failed: port is already allocated`);
    }
    resolved.push({ hostIp, hostPort, containerPort: request.containerPort, protocol });
  }
  return resolved;
}
