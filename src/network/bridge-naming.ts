/** The names and addresses shoal gives the kernel objects of bridge networks. */
import { ShoalError } from "../lib/index.ts";
import { parseIpv4 } from "./ipv4.ts";

/** Name of the default bridge network (Docker's `bridge`). */
export const DEFAULT_NETWORK_NAME = "bridge";
/** Linux bridge of the default network (Docker's `docker0`). */
export const DEFAULT_BRIDGE_NAME = "shoal0";
/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
export const MAX_INTERFACE_NAME = 15;
/** Where shoal's container network namespaces are named: /run/netns/shoal-<container id 12>. */
export const DEFAULT_NETNS_NAME_PREFIX = "shoal-";

/**
 * The Linux bridge of a network: `shoal0` for the default one, else `shbr-` and the first 10
 * characters of its ID (Docker writes `br-` + 12; ours must fit the 15-byte limit too).
 */
export function bridgeNameFor(networkId: string, networkName: string): string {
  return networkName === DEFAULT_NETWORK_NAME ? DEFAULT_BRIDGE_NAME : `shbr-${networkId.slice(0, 10)}`;
}

/** Refuses a bridge name the kernel would refuse. */
export function checkInterfaceName(name: string): void {
  if (name.length === 0 || Buffer.byteLength(name) > MAX_INTERFACE_NAME || /[\s/:]/.test(name) || name === "." || name === "..") {
    throw new ShoalError("invalid_argument", `invalid bridge name ${JSON.stringify(name)}: use at most ${MAX_INTERFACE_NAME} characters without spaces, '/' or ':'`);
  }
}

/** The host end of an endpoint's veth pair: `veth` + 7 hex digits of the endpoint ID. */
export function hostVethName(endpointId: string): string {
  return `veth${endpointId.slice(0, 7)}`;
}

/** The MAC Docker derives from an IPv4 address: 02:42 followed by the four octets. */
export function macForAddress(address: string): string {
  const value = parseIpv4(address);
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256);
  return ["02", "42", ...octets.map((octet) => octet.toString(16).padStart(2, "0"))].join(":");
}

/** The named network namespace of a container: `<prefix><first 12 characters of its ID>`. */
export function containerNetnsName(containerId: string, prefix = DEFAULT_NETNS_NAME_PREFIX): string {
  if (!/^[A-Za-z0-9_.-]+$/.test(containerId)) throw new ShoalError("invalid_argument", `invalid container ID ${JSON.stringify(containerId)}`);
  return `${prefix}${containerId.slice(0, 12)}`;
}
