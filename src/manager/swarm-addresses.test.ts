import { expect, test } from "bun:test";
import { resolveSwarmAddresses, type InterfaceAddresses } from "./swarm-addresses.ts";

const oneNic: InterfaceAddresses = {
  lo: [{ address: "127.0.0.1", family: "IPv4", internal: true }],
  eth0: [
    { address: "10.99.0.11", family: "IPv4", internal: false },
    { address: "fe80::1", family: "IPv6", internal: false },
  ],
};

test("the advertise address defaults to the listen IP, or the host's only address when listening on 0.0.0.0", () => {
  expect(resolveSwarmAddresses({ listenAddr: "127.0.0.1:4000" }, {})).toEqual({
    listenHost: "127.0.0.1",
    listenPort: 4000,
    advertiseAddr: "127.0.0.1:4000",
    advertiseHost: "127.0.0.1",
    dataPathAddr: "127.0.0.1",
  });
  expect(resolveSwarmAddresses({}, oneNic)).toMatchObject({ listenHost: "0.0.0.0", listenPort: 2377, advertiseAddr: "10.99.0.11:2377" });
});

test("interface names resolve to their IPv4 address; an advertise port overrides the listen port", () => {
  expect(resolveSwarmAddresses({ listenAddr: "eth0", advertiseAddr: "eth0:3000", dataPathAddr: "lo" }, oneNic)).toMatchObject({
    listenHost: "10.99.0.11",
    listenPort: 2377,
    advertiseAddr: "10.99.0.11:3000",
    dataPathAddr: "127.0.0.1",
  });
});

test("bad or ambiguous addresses are refused with moby's messages", () => {
  expect(() => resolveSwarmAddresses({ listenAddr: "127.0.0.1:99999" }, {})).toThrow("listen address must be an IP address or network interface (with optional port number)");
  expect(() => resolveSwarmAddresses({ advertiseAddr: "wlan9" }, oneNic)).toThrow('"wlan9" is neither an IP address nor a network interface of this host');
  expect(() => resolveSwarmAddresses({ advertiseAddr: "0.0.0.0" }, oneNic)).toThrow("advertise address must be a non-zero IP address");
  const twoNics = { ...oneNic, eth1: [{ address: "192.168.1.5", family: "IPv4", internal: false }] };
  expect(() => resolveSwarmAddresses({}, twoNics)).toThrow("could not choose an IP address to advertise since this system has multiple addresses on different interfaces (10.99.0.11 on eth0 and 192.168.1.5 on eth1)");
  expect(() => resolveSwarmAddresses({}, { lo: oneNic.lo })).toThrow("could not find the system's IP address");
});
