import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { caught } from "../../test/support/pki-fixtures.ts";
import { generateJoinToken, generateJoinTokens, parseJoinToken, rotateJoinToken } from "./join-token.ts";

const BUNDLE = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const TOKEN_SHAPE = /^SWMTKN-1-[0-9a-z]{50}-[0-9a-z]{25}$/;

test("a join token is SWMTKN-1, the bundle's SHA-256 in 50 base-36 digits, and a 25-digit secret", () => {
  const token = generateJoinToken(BUNDLE, () => new Uint8Array(16).fill(0xff));
  expect(token).toMatch(TOKEN_SHAPE);
  const digestHex = createHash("sha256").update(BUNDLE).digest("hex");
  expect(token.split("-")[2]).toBe(BigInt(`0x${digestHex}`).toString(36).padStart(50, "0"));
  expect(token.split("-")[3]).toBe(((1n << 128n) - 1n).toString(36).padStart(25, "0"));
  expect(parseJoinToken(token)).toEqual({ version: 1, rootCaDigestHex: digestHex, secret: token.split("-")[3]! });
});

test("any secret bytes and any bundle give a token that parses back to them", () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.string(), (secret, bundle) => {
      const token = generateJoinToken(bundle, () => secret);
      expect(token).toMatch(TOKEN_SHAPE);
      const parsed = parseJoinToken(token);
      expect(parsed.rootCaDigestHex).toBe(createHash("sha256").update(bundle).digest("hex"));
      expect(BigInt(`0x${Buffer.from(secret).toString("hex")}`)).toBe(BigInt(parseInt36(parsed.secret)));
    }),
  );
});

test("worker and manager tokens differ only in their secrets", () => {
  const tokens = generateJoinTokens(BUNDLE);
  expect(tokens.worker).not.toBe(tokens.manager);
  expect(parseJoinToken(tokens.worker).rootCaDigestHex).toBe(parseJoinToken(tokens.manager).rootCaDigestHex);
});

test("rotating a token keeps its CA digest and replaces its secret", () => {
  const token = generateJoinToken(BUNDLE);
  const rotated = rotateJoinToken(token);
  expect(rotated).not.toBe(token);
  expect(rotated.slice(0, 60)).toBe(token.slice(0, 60));
  expect(parseJoinToken(rotated).secret).not.toBe(parseJoinToken(token).secret);
});

test("a token with surrounding whitespace still parses", () => {
  const token = generateJoinToken(BUNDLE);
  expect(parseJoinToken(` ${token}\n`).secret).toBe(parseJoinToken(token).secret);
});

test("malformed tokens are refused as an invalid join token", async () => {
  const good = generateJoinToken(BUNDLE);
  const [, , digest, secret] = good.split("-");
  const malformed = [
    "",
    "SWMTKN",
    `SWMTKN-2-${digest}-${secret}`,
    `SWMTKN-2-1-${digest}-${secret}`,
    `SWMKEY-1-${digest}-${secret}`,
    `SWMTKN-1-${digest!.slice(1)}-${secret}`,
    `SWMTKN-1-${digest}-${secret}0`,
    `SWMTKN-1-${digest!.toUpperCase()}-${secret}`,
    `SWMTKN-1-${"z".repeat(50)}-${secret}`, // larger than any SHA-256
    `SWMTKN-1-${digest}-${"z".repeat(25)}`, // larger than 128 bits
    `SWMTKN-1-${digest}-${secret}-extra`,
  ];
  for (const token of malformed) {
    const error = await caught(() => parseJoinToken(token));
    expect({ token, code: error.code, message: error.message }).toEqual({ token, code: "invalid_argument", message: "invalid join token" });
  }
});

function parseInt36(text: string): bigint {
  let value = 0n;
  for (const char of text) value = value * 36n + BigInt(parseInt(char, 36));
  return value;
}
