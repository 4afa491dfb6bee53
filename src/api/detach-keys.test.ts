import { expect, test } from "bun:test";
import { DetachScanner, parseDetachKeys } from "./detach-keys.ts";

test("detach keys parse as docker's --detach-keys, defaulting to ctrl-p ctrl-q", () => {
  expect([...parseDetachKeys(null)]).toEqual([0x10, 0x11]);
  expect([...parseDetachKeys("")]).toEqual([0x10, 0x11]);
  expect([...parseDetachKeys("ctrl-x,a")]).toEqual([0x18, 0x61]);
  expect(() => parseDetachKeys("ctrl-xx")).toThrow("Invalid detach keys (ctrl-xx) provided");
});

test("the scanner holds a possible sequence across chunks and passes a broken one on", () => {
  const scanner = new DetachScanner(parseDetachKeys(null));
  const text = (bytes: Uint8Array) => [...bytes];
  expect(scanner.scan(Uint8Array.of(0x61, 0x10))).toEqual({ input: Uint8Array.of(0x61), detach: false });
  expect(text(scanner.scan(Uint8Array.of(0x62)).input)).toEqual([0x10, 0x62]);
  expect(scanner.scan(Uint8Array.of(0x10))).toEqual({ input: Uint8Array.of(), detach: false });
  expect(scanner.scan(Uint8Array.of(0x11, 0x63))).toEqual({ input: Uint8Array.of(), detach: true });
});
