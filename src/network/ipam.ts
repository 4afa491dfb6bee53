/**
 * IPv4 address management for local networks: choosing a subnet for a new network from Docker's
 * default pools, checking a requested one, and handing out host addresses inside a subnet.
 */
import { ShoalError } from "../lib/index.ts";
import { formatSubnet, parseIpv4, parseSubnet, subnetContains, subnetSize, subnetsOverlap, type Ipv4Subnet } from "./ipv4.ts";

/** One default address pool: a base range cut into subnets of `size` prefix length. */
export interface AddressPool {
  readonly base: string;
  readonly size: number;
}

/**
 * Docker's default pools for local networks: 172.17.0.0/16 … 172.31.0.0/16, then 192.168.0.0/16
 * in /20 blocks. The default bridge takes the first (172.17.0.0/16).
 */
export const DEFAULT_ADDRESS_POOLS: readonly AddressPool[] = [
  { base: "172.17.0.0/16", size: 16 },
  { base: "172.18.0.0/15", size: 16 },
  { base: "172.20.0.0/14", size: 16 },
  { base: "172.24.0.0/14", size: 16 },
  { base: "172.28.0.0/14", size: 16 },
  { base: "192.168.0.0/16", size: 20 },
];

/** The subnets a pool is cut into, in order. */
export function* poolSubnets(pool: AddressPool): Generator<Ipv4Subnet> {
  const base = parseSubnet(pool.base);
  if (pool.size < base.prefixLength || pool.size > 30) throw new ShoalError("invalid_argument", `address pool ${pool.base}: size /${pool.size} does not fit`);
  const step = subnetSize(pool.size);
  for (let network = base.network; network < base.network + subnetSize(base.prefixLength); network += step) {
    yield { network, prefixLength: pool.size };
  }
}

/** The first pool subnet that overlaps none of `taken`; resource_exhausted when all do. */
export function chooseSubnet(taken: readonly Ipv4Subnet[], pools: readonly AddressPool[] = DEFAULT_ADDRESS_POOLS): Ipv4Subnet {
  for (const pool of pools) {
    for (const candidate of poolSubnets(pool)) {
      if (!taken.some((subnet) => subnetsOverlap(subnet, candidate))) return candidate;
    }
  }
  throw new ShoalError(
    "resource_exhausted",
    "could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network; remove unused networks or pass --subnet",
  );
}

/** Refuses `subnet` when it overlaps one of `taken` (Docker's words), naming the other network. */
export function checkNoOverlap(subnet: Ipv4Subnet, taken: readonly { subnet: Ipv4Subnet; name: string }[]): void {
  const other = taken.find((entry) => subnetsOverlap(entry.subnet, subnet));
  if (other) {
    throw new ShoalError(
      "invalid_argument",
      `invalid pool request: Pool overlaps with other one on this address space: ${formatSubnet(subnet)} overlaps ${formatSubnet(other.subnet)} of network ${other.name}; choose another --subnet`,
    );
  }
}

/** The first and last host addresses of a subnet (network and broadcast excluded below /31). */
export function hostRange(subnet: Ipv4Subnet): { first: number; last: number } {
  const size = subnetSize(subnet.prefixLength);
  if (size <= 2) return { first: subnet.network, last: subnet.network + size - 1 };
  return { first: subnet.network + 1, last: subnet.network + size - 2 };
}

/** The gateway of a subnet: `requested` (checked to be a host address in it) or the first host address. */
export function chooseGateway(subnet: Ipv4Subnet, requested?: string): number {
  const range = hostRange(subnet);
  if (requested === undefined) return range.first;
  const gateway = parseIpv4(requested);
  if (!subnetContains(subnet, gateway) || gateway < range.first || gateway > range.last) {
    throw new ShoalError("invalid_argument", `invalid gateway ${requested}: it must be a host address inside ${formatSubnet(subnet)}`);
  }
  return gateway;
}

/**
 * A host address of `subnet` that is not in `used`: `requested` when given (checked), otherwise
 * the lowest free one. resource_exhausted when the subnet is full.
 */
export function allocateAddress(subnet: Ipv4Subnet, used: ReadonlySet<number>, requested?: string, networkName = formatSubnet(subnet)): number {
  const range = hostRange(subnet);
  if (requested !== undefined) {
    const address = parseIpv4(requested);
    if (!subnetContains(subnet, address) || address < range.first || address > range.last) {
      throw new ShoalError("invalid_argument", `invalid address ${requested}: it is not a host address of network ${networkName} (${formatSubnet(subnet)})`);
    }
    if (used.has(address)) throw new ShoalError("already_exists", `Address already in use: ${requested} on network ${networkName}; choose another address`);
    return address;
  }
  for (let address = range.first; address <= range.last; address++) {
    if (!used.has(address)) return address;
  }
  throw new ShoalError("resource_exhausted", `no available IPv4 addresses on this network's address pools: ${networkName} (${formatSubnet(subnet)})`);
}
