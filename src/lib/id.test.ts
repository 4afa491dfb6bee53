import { expect, test } from "bun:test";
import fc from "fast-check";
import { ID_LENGTH, base36, isId, newId } from "./id.ts";

test("every new ID is 25 lowercase base-36 characters, whatever the random bytes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 17, maxLength: 17 }), (bytes) => {
      const id = newId(() => bytes);
      expect(id).toHaveLength(ID_LENGTH);
      expect(isId(id)).toBe(true);
    }),
  );
});

test("new IDs differ", () => {
  const ids = new Set(Array.from({ length: 1000 }, () => newId()));
  expect(ids.size).toBe(1000);
});

test("base36 pads to the width asked for", () => {
  expect(base36(new Uint8Array([0, 35]), 4)).toBe("000z");
  expect(base36(new Uint8Array([1, 0]), 0)).toBe("74");
});

test("isId refuses other shapes", () => {
  for (const value of ["", "ABCDEFGHIJKLMNOPQRSTUVWXY", "abc", "0123456789abcdefghijklmn-"]) expect(isId(value)).toBe(false);
});
