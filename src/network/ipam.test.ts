import { expect, test } from "bun:test";
import { allocateAddress, checkNoOverlap, chooseGateway, chooseSubnet, hostRange, poolSubnets, DEFAULT_ADDRESS_POOLS } from "./ipam.ts";
import { formatIpv4, formatSubnet, parseIpv4, parseSubnet, subnetsOverlap } from "./ipv4.ts";

test("parses CIDR and refuses bad ones with Docker's words", () => {
  expect(formatSubnet(parseSubnet("10.1.0.0/16"))).toBe("10.1.0.0/16");
  expect(() => parseSubnet("10.1.0.0/33")).toThrow("invalid CIDR address: 10.1.0.0/33");
  expect(() => parseSubnet("10.1.0/16")).toThrow("invalid CIDR address");
  expect(() => parseSubnet("10.01.0.0/16")).toThrow("invalid CIDR address");
  expect(() => parseSubnet("10.1.2.3/16")).toThrow("did you mean 10.1.0.0/16?");
  expect(formatSubnet(parseSubnet("10.1.2.3/16", { strict: false }))).toBe("10.1.0.0/16");
  expect(formatIpv4(parseIpv4("255.255.255.255"))).toBe("255.255.255.255");
});

test("chooses subnets from Docker's default pools in order, skipping taken ones", () => {
  expect(formatSubnet(chooseSubnet([]))).toBe("172.17.0.0/16");
  const taken = [parseSubnet("172.17.0.0/16"), parseSubnet("172.18.5.0/24")];
  expect(formatSubnet(chooseSubnet(taken))).toBe("172.19.0.0/16");
  const all172 = Array.from({ length: 15 }, (_, i) => parseSubnet(`172.${17 + i}.0.0/16`));
  expect(formatSubnet(chooseSubnet(all172))).toBe("192.168.0.0/20");
  expect(formatSubnet(chooseSubnet([...all172, parseSubnet("192.168.0.0/20")]))).toBe("192.168.16.0/20");
  const everything = DEFAULT_ADDRESS_POOLS.flatMap((pool) => [...poolSubnets(pool)]);
  expect(everything).toHaveLength(15 + 16);
  expect(() => chooseSubnet(everything)).toThrow("could not find an available, non-overlapping IPv4 address pool");
});

test("refuses an overlapping subnet naming the other network", () => {
  const taken = [{ subnet: parseSubnet("10.5.0.0/16"), name: "front" }];
  expect(() => checkNoOverlap(parseSubnet("10.5.3.0/24"), taken)).toThrow("Pool overlaps with other one on this address space: 10.5.3.0/24 overlaps 10.5.0.0/16 of network front");
  expect(() => checkNoOverlap(parseSubnet("10.0.0.0/8"), taken)).toThrow("Pool overlaps");
  checkNoOverlap(parseSubnet("10.6.0.0/16"), taken);
  expect(subnetsOverlap(parseSubnet("10.6.0.0/16"), parseSubnet("10.5.0.0/16"))).toBe(false);
});

test("allocates host addresses, never the network or broadcast address, and reuses released ones", () => {
  const subnet = parseSubnet("10.7.0.0/29"); // hosts .1–.6
  expect(hostRange(subnet)).toEqual({ first: parseIpv4("10.7.0.1"), last: parseIpv4("10.7.0.6") });
  const gateway = chooseGateway(subnet);
  expect(formatIpv4(gateway)).toBe("10.7.0.1");
  const used = new Set([gateway]);
  for (let i = 2; i <= 6; i++) used.add(allocateAddress(subnet, used));
  expect([...used].map(formatIpv4)).toEqual(["10.7.0.1", "10.7.0.2", "10.7.0.3", "10.7.0.4", "10.7.0.5", "10.7.0.6"]);
  expect(() => allocateAddress(subnet, used, undefined, "tiny")).toThrow("no available IPv4 addresses on this network's address pools: tiny");
  used.delete(parseIpv4("10.7.0.4"));
  expect(formatIpv4(allocateAddress(subnet, used))).toBe("10.7.0.4");
  expect(() => allocateAddress(subnet, used, "10.7.0.7")).toThrow("is not a host address");
  expect(() => allocateAddress(subnet, used, "10.7.0.2")).toThrow("Address already in use: 10.7.0.2");
  expect(() => chooseGateway(subnet, "10.7.0.0")).toThrow("invalid gateway 10.7.0.0");
  expect(formatIpv4(chooseGateway(subnet, "10.7.0.6"))).toBe("10.7.0.6");
});
