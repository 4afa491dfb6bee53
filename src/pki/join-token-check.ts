import { timingSafeEqual } from "node:crypto";
import { ShoalError } from "../lib/index.ts";
import { isCaCertificate } from "./ca-certificate.ts";
import { parseJoinToken, rootCaDigest, type JoinTokens } from "./join-token.ts";
import type { NodeRole } from "./node-role.ts";
import { parseCertificates } from "./pem.ts";

/** What the CA server knows when a node presents a join token. */
export interface JoinTokenCheckOptions {
  /** The swarm's current worker and manager tokens. */
  tokens: JoinTokens;
  /** The swarm's root CA bundle PEM, exactly as GetRootCACertificate serves it. */
  rootCaBundlePem: string;
}

/** The Docker message for any token that does not let a node in. */
export const INVALID_JOIN_TOKEN_MESSAGE = "A valid join token is necessary to join this cluster";

/** The role a presented join token grants; refuses (permission_denied) a wrong, stale, malformed or other-swarm token. */
export function roleForJoinToken(presented: string, options: JoinTokenCheckOptions): NodeRole {
  let parsed;
  try {
    parsed = parseJoinToken(presented);
  } catch {
    throw new ShoalError("permission_denied", INVALID_JOIN_TOKEN_MESSAGE);
  }
  const digest = Buffer.from(parsed.rootCaDigestHex, "hex");
  if (!timingSafeEqual(digest, rootCaDigest(options.rootCaBundlePem))) throw new ShoalError("permission_denied", INVALID_JOIN_TOKEN_MESSAGE);
  const canonical = presented.trim();
  // Compare against both tokens every time so the time taken does not tell which one came close.
  const isWorker = constantTimeEquals(canonical, options.tokens.worker);
  const isManager = constantTimeEquals(canonical, options.tokens.manager);
  if (isManager) return "manager";
  if (isWorker) return "worker";
  throw new ShoalError("permission_denied", INVALID_JOIN_TOKEN_MESSAGE);
}

/**
 * The joining side: checks the CA bundle a remote manager showed (over a connection not yet verified) against the
 * token's digest before trusting any of it, and returns the bundle's PEM once it matches.
 */
export function verifyRemoteRootCa(joinToken: string, remoteRootCaBundlePem: string): string {
  const parsed = parseJoinToken(joinToken);
  const expected = Buffer.from(parsed.rootCaDigestHex, "hex");
  if (!timingSafeEqual(expected, rootCaDigest(remoteRootCaBundlePem))) {
    throw new ShoalError("failed_precondition", `remote CA does not match fingerprint. Expected: ${parsed.rootCaDigestHex}`);
  }
  let certificates;
  try {
    certificates = parseCertificates(remoteRootCaBundlePem, "the remote root CA bundle");
  } catch (error) {
    throw new ShoalError("failed_precondition", "the remote root CA bundle matches the join token but holds no valid certificate", { cause: error });
  }
  if (!certificates.every(isCaCertificate)) {
    throw new ShoalError("failed_precondition", "the remote root CA bundle matches the join token but holds a certificate that is not a CA");
  }
  return remoteRootCaBundlePem;
}

function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) {
    // timingSafeEqual needs equal lengths; do the same work anyway so a wrong length is not faster.
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
