/** IPv4 addresses and subnets as numbers, for arithmetic that text cannot do. */
import { ShoalError } from "../lib/index.ts";

/** An IPv4 subnet: its network address (host bits zero) as an unsigned 32-bit number and its prefix. */
export interface Ipv4Subnet {
  readonly network: number;
  readonly prefixLength: number;
}

/** The dotted-quad text as an unsigned 32-bit number, or null when it is not an IPv4 address. */
export function tryParseIpv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((part) => !/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255)) return null;
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

/** The dotted-quad text as a number; invalid_argument when it is not an IPv4 address. */
export function parseIpv4(text: string): number {
  const value = tryParseIpv4(text);
  if (value === null) throw new ShoalError("invalid_argument", `invalid IPv4 address: ${text}`);
  return value;
}

/** A 32-bit number as dotted-quad text. */
export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/** The number of addresses in a subnet of this prefix length. */
export function subnetSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/**
 * Parses `a.b.c.d/n` into a subnet. With `strict` (the default) host bits must be zero, as
 * Docker requires for `--subnet`; otherwise they are cleared.
 */
export function parseSubnet(cidr: string, options: { strict?: boolean } = {}): Ipv4Subnet {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(cidr.trim());
  const address = match ? tryParseIpv4(match[1]!) : null;
  const prefixLength = match ? Number(match[2]) : NaN;
  if (address === null || !(prefixLength >= 0 && prefixLength <= 32)) {
    throw new ShoalError("invalid_argument", `invalid CIDR address: ${cidr}; write an IPv4 subnet like 172.20.0.0/16`);
  }
  const size = subnetSize(prefixLength);
  const network = address - (address % size);
  if (network !== address && options.strict !== false) {
    throw new ShoalError("invalid_argument", `invalid subnet ${cidr}: it has host bits set; did you mean ${formatIpv4(network)}/${prefixLength}?`);
  }
  return { network, prefixLength };
}

/** The subnet as `a.b.c.d/n`. */
export function formatSubnet(subnet: Ipv4Subnet): string {
  return `${formatIpv4(subnet.network)}/${subnet.prefixLength}`;
}

/** True when `address` lies inside `subnet`. */
export function subnetContains(subnet: Ipv4Subnet, address: number): boolean {
  return address >= subnet.network && address < subnet.network + subnetSize(subnet.prefixLength);
}

/** True when the two subnets share any address. */
export function subnetsOverlap(a: Ipv4Subnet, b: Ipv4Subnet): boolean {
  return subnetContains(a, b.network) || subnetContains(b, a.network);
}
