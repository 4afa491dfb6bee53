import { createHash, randomBytes } from "node:crypto";
import { ShoalError, base36 } from "../lib/index.ts";

/** The prefix of every join token and its format version. */
export const JOIN_TOKEN_PREFIX = "SWMTKN-1-";
/** Length of the root CA digest part: SHA-256 in base 36. */
export const JOIN_TOKEN_DIGEST_LENGTH = 50;
/** Length of the secret part: 16 random bytes in base 36. */
export const JOIN_TOKEN_SECRET_LENGTH = 25;

/** The parts of a join token. */
export interface ParsedJoinToken {
  /** The format version (only 1 exists). */
  version: 1;
  /** SHA-256 of the root CA bundle PEM the token was made for, lowercase hex. */
  rootCaDigestHex: string;
  /** The secret part, base 36. */
  secret: string;
}

/** The current tokens of a swarm, one per role. */
export interface JoinTokens {
  /** Lets a node join as a worker. */
  worker: string;
  /** Lets a node join as a manager. */
  manager: string;
}

/** SHA-256 of the exact bytes of a root CA bundle PEM: what a join token pins. */
export function rootCaDigest(rootCaBundlePem: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(rootCaBundlePem, "utf8").digest());
}

/** A new join token for the swarm whose root CA bundle is `rootCaBundlePem`. */
export function generateJoinToken(rootCaBundlePem: string, random: (size: number) => Uint8Array = randomBytes): string {
  return formatJoinToken(rootCaDigest(rootCaBundlePem), random);
}

/** New worker and manager tokens for a swarm (at init, and when a CA rotation finishes). */
export function generateJoinTokens(rootCaBundlePem: string, random: (size: number) => Uint8Array = randomBytes): JoinTokens {
  return { worker: generateJoinToken(rootCaBundlePem, random), manager: generateJoinToken(rootCaBundlePem, random) };
}

/** The same token with a new secret: what `swarm join-token --rotate` does to one role's token. */
export function rotateJoinToken(token: string, random: (size: number) => Uint8Array = randomBytes): string {
  return formatJoinToken(Buffer.from(parseJoinToken(token).rootCaDigestHex, "hex"), random);
}

/** Splits a join token into its parts, refusing anything not shaped `SWMTKN-1-<50 base36>-<25 base36>`. */
export function parseJoinToken(token: string): ParsedJoinToken {
  const parts = typeof token === "string" ? token.trim().split("-") : [];
  const [prefix, version, digest, secret] = parts;
  if (parts.length !== 4 || prefix !== "SWMTKN" || version !== "1") throw invalidToken();
  if (digest!.length !== JOIN_TOKEN_DIGEST_LENGTH || secret!.length !== JOIN_TOKEN_SECRET_LENGTH) throw invalidToken();
  const digestValue = parseBase36(digest!);
  const secretValue = parseBase36(secret!);
  if (digestValue === null || digestValue >= 1n << 256n || secretValue === null || secretValue >= 1n << 128n) throw invalidToken();
  return { version: 1, rootCaDigestHex: digestValue.toString(16).padStart(64, "0"), secret: secret! };
}

function formatJoinToken(digest: Uint8Array, random: (size: number) => Uint8Array): string {
  return `${JOIN_TOKEN_PREFIX}${base36(digest, JOIN_TOKEN_DIGEST_LENGTH)}-${base36(random(16).subarray(0, 16), JOIN_TOKEN_SECRET_LENGTH)}`;
}

function parseBase36(text: string): bigint | null {
  if (!/^[0-9a-z]+$/.test(text)) return null;
  let value = 0n;
  for (const char of text) value = value * 36n + BigInt(Number.parseInt(char, 36));
  return value;
}

function invalidToken(): ShoalError {
  return new ShoalError("invalid_argument", "invalid join token");
}
