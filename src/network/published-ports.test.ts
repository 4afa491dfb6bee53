import { expect, test } from "bun:test";
import { EPHEMERAL_PORTS, resolvePublishRequests, type PublishedPort } from "./published-ports.ts";

const taken: PublishedPort[] = [{ hostIp: "0.0.0.0", hostPort: 8080, containerPort: 80, protocol: "tcp" }];

test("refuses a host port another container holds, with Docker's words", () => {
  expect(() => resolvePublishRequests([{ hostPort: 8080, containerPort: 81 }], taken)).toThrow("Bind for 0.0.0.0:8080 failed: port is already allocated");
  expect(() => resolvePublishRequests([{ hostIp: "10.0.0.1", hostPort: 8080, containerPort: 81 }], taken)).toThrow("Bind for 10.0.0.1:8080 failed: port is already allocated");
  expect(() => resolvePublishRequests([{ hostPort: 9000, containerPort: 1 }, { hostPort: 9000, containerPort: 2 }], [])).toThrow("Bind for 0.0.0.0:9000 failed");
});

test("allows the same port for another protocol or another specific address", () => {
  expect(resolvePublishRequests([{ hostPort: 8080, containerPort: 53, protocol: "udp" }], taken)).toEqual([{ hostIp: "0.0.0.0", hostPort: 8080, containerPort: 53, protocol: "udp" }]);
  const specific: PublishedPort[] = [{ hostIp: "10.0.0.1", hostPort: 9000, containerPort: 80, protocol: "tcp" }];
  expect(resolvePublishRequests([{ hostIp: "10.0.0.2", hostPort: 9000, containerPort: 80 }], specific)[0]!.hostPort).toBe(9000);
});

test("gives host port 0 the lowest free ephemeral port", () => {
  const busy: PublishedPort[] = [{ hostIp: "0.0.0.0", hostPort: EPHEMERAL_PORTS.first, containerPort: 80, protocol: "tcp" }];
  const resolved = resolvePublishRequests([{ containerPort: 80 }, { hostPort: 0, containerPort: 81 }], busy);
  expect(resolved.map((port) => port.hostPort)).toEqual([EPHEMERAL_PORTS.first + 1, EPHEMERAL_PORTS.first + 2]);
});

test("refuses bad input", () => {
  expect(() => resolvePublishRequests([{ hostPort: 70000, containerPort: 80 }], [])).toThrow("invalid host port 70000");
  expect(() => resolvePublishRequests([{ hostPort: 80, containerPort: 0 }], [])).toThrow("invalid container port 0");
  expect(() => resolvePublishRequests([{ hostIp: "localhost", hostPort: 80, containerPort: 80 }], [])).toThrow("invalid host IP");
  expect(() => resolvePublishRequests([{ hostPort: 80, containerPort: 80, protocol: "sctp" as "tcp" }], [])).toThrow("use tcp or udp");
});
