import { expect, test } from "bun:test";
import fc from "fast-check";
import { caught } from "../../test/support/pki-fixtures.ts";
import { generateDataKey, generateUnlockKey, parseUnlockKey } from "./unlock-key.ts";

test("an unlock key is SWMKEY-1- and 32 bytes in unpadded standard base64", () => {
  const key = generateUnlockKey(() => new Uint8Array(32).fill(0xfb));
  expect(key).toBe(`SWMKEY-1-${"+/v7".repeat(10)}+/s`);
  expect(generateUnlockKey()).toMatch(/^SWMKEY-1-[A-Za-z0-9+/]{43}$/);
});

test("any 32 bytes make an unlock key that parses back to them", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      expect(parseUnlockKey(generateUnlockKey(() => bytes))).toEqual(bytes);
    }),
  );
});

test("an unlock key with base64 padding or surrounding whitespace is accepted", () => {
  const key = generateUnlockKey();
  expect(parseUnlockKey(` ${key}=\n`)).toEqual(parseUnlockKey(key));
});

test("malformed unlock keys are refused with a message showing the expected shape", async () => {
  const body = generateUnlockKey().slice("SWMKEY-1-".length);
  for (const key of ["", body, `SWMKEY-2-${body}`, `SWMTKN-1-${body}`, `SWMKEY-1-${body.slice(1)}`, `SWMKEY-1-${body}AAAA`, `SWMKEY-1-${body.slice(1)}_`]) {
    const error = await caught(() => parseUnlockKey(key));
    expect(error.code).toBe("invalid_argument");
    expect(error.message).toStartWith("invalid unlock key format: expected SWMKEY-1- followed by 43 base64 characters");
  }
});

test("a data key is 32 random bytes", () => {
  const [a, b] = [generateDataKey(), generateDataKey()];
  expect(a).toHaveLength(32);
  expect(a).not.toEqual(b);
  expect(generateDataKey(() => new Uint8Array(40).fill(7))).toEqual(new Uint8Array(32).fill(7));
});
