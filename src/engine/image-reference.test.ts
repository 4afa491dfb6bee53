import { expect, test } from "bun:test";
import { isInsecureRegistry, parseImageReference } from "./image-reference.ts";

test("references resolve as docker resolves them", () => {
  expect(parseImageReference("busybox")).toMatchObject({ registry: "registry-1.docker.io", repository: "library/busybox", tag: "latest", familiar: "busybox:latest" });
  expect(parseImageReference("redis:3.0.7")).toMatchObject({ repository: "library/redis", tag: "3.0.7", familiar: "redis:3.0.7" });
  expect(parseImageReference("user/app:v1")).toMatchObject({ repository: "user/app", tag: "v1", familiar: "user/app:v1" });
  expect(parseImageReference("localhost:5000/test/busybox:1")).toMatchObject({ registry: "localhost:5000", repository: "test/busybox", tag: "1", familiar: "localhost:5000/test/busybox:1" });
  const pinned = parseImageReference(`127.0.0.1:5000/x@sha256:${"a".repeat(64)}`);
  expect(pinned).toMatchObject({ registry: "127.0.0.1:5000", repository: "x", tag: null, digest: `sha256:${"a".repeat(64)}` });
});

test("malformed references are refused as docker words it", () => {
  for (const bad of ["Busybox", "busybox:", "a//b", "x@sha256:zz"]) expect(() => parseImageReference(bad)).toThrow(/invalid/);
});

test("only loopback and listed registries may use plain HTTP", () => {
  expect(isInsecureRegistry("localhost:5000", [])).toBe(true);
  expect(isInsecureRegistry("127.0.0.1:5000", [])).toBe(true);
  expect(isInsecureRegistry("registry.example:5000", [])).toBe(false);
  expect(isInsecureRegistry("registry.example:5000", ["registry.example:5000"])).toBe(true);
});
