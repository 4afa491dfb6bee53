import type { PeerCertificate } from "node:tls";
import { ShoalError } from "../lib/index.ts";
import type { PeerIdentity, PeerRole } from "./peer-identity.ts";

/** What a node presents and trusts on its TLS connections; replaced when it renews or the CA rotates. */
export interface TlsMaterial {
  /** PKCS#8 PEM private key. */
  key: string;
  /** PEM certificate chain: the node's certificate, then any intermediates (a cross-signed root). */
  cert: string;
  /** PEM bundle of the root certificates trusted. */
  ca: string;
}

/** Decides whether a peer with a valid certificate may talk to this node (deny list, cluster ID); throws to refuse. */
export type PeerVerifier = (peer: PeerIdentity) => void;

/** The ALPN protocol shoal nodes speak. */
export const ALPN_PROTOCOL = "shoal/1";

const ROLE_BY_OU: Record<string, PeerRole> = { "swarm-manager": "manager", "swarm-worker": "worker" };

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads the node identity (CN = node ID, OU = role, O = cluster ID) out of a verified peer certificate. */
export function identityFromCertificate(certificate: PeerCertificate): PeerIdentity {
  const subject = certificate.subject ?? {};
  const nodeId = firstValue(subject.CN);
  const role = ROLE_BY_OU[firstValue(subject.OU) ?? ""];
  const clusterId = firstValue(subject.O);
  if (!nodeId || !role || !clusterId) {
    throw new ShoalError("permission_denied", "peer certificate does not name a swarm node (CN, OU and O are required)");
  }
  return { nodeId, role, clusterId };
}

/** Whether the peer presented a certificate at all (node:tls gives an empty object when not). */
export function presentedCertificate(certificate: PeerCertificate | null | undefined): certificate is PeerCertificate {
  return !!certificate && Object.keys(certificate).length > 0;
}
