import { ShoalError, type Clock } from "../lib/index.ts";
import { identityOf, type NodeIdentity } from "./node-certificate.ts";
import { isCaCertificate } from "./ca-certificate.ts";
import { certificatesToPem, parseCertificates, publicKeyPem } from "./pem.ts";
import type { X509 } from "./x509.ts";

/** How many intermediates a chain may have between a leaf and its trust root. */
export const MAX_INTERMEDIATES = 4;

/** A node identity whose certificate chains to a trusted root at the time of checking. */
export interface VerifiedNodeIdentity extends NodeIdentity {
  /** The public key that signed the leaf, "PUBLIC KEY" PEM: tells which root issued it (rotation tracks this). */
  issuerPublicKeyPem: string;
  /** The trust root the chain ends at, PEM. */
  trustRootPem: string;
}

/** What to check: a node certificate, what may link it to a root, and the roots to trust. */
export interface ValidateCertificateChainOptions {
  /** The node certificate, PEM; certificates after the first are treated as intermediates. */
  certificatePem: string;
  /** More intermediates, PEM (the cross-signed root during a rotation). */
  intermediatesPem?: string;
  /** The trust bundle: one or more root CA certificates, PEM. */
  trustBundlePem: string;
  /** The time to check validity at. */
  clock: Clock;
}

/** Checks a node certificate's signatures up to a trusted root and every certificate's validity at clock.now(). */
export async function validateCertificateChain(options: ValidateCertificateChainOptions): Promise<VerifiedNodeIdentity> {
  const [leaf, ...bundled] = parseCertificates(options.certificatePem, "the node certificate");
  const extra = options.intermediatesPem?.trim() ? parseCertificates(options.intermediatesPem, "the intermediates") : [];
  const roots = parseCertificates(options.trustBundlePem, "the trust bundle").filter(isCaCertificate);
  if (roots.length === 0) throw new ShoalError("invalid_argument", "the trust bundle holds no CA certificate");
  const identity = identityOf(leaf!);
  const now = options.clock.now();
  const leafProblem = timeProblem(leaf!, now, "certificate");
  if (leafProblem) throw new ShoalError("permission_denied", leafProblem);
  const search = new ChainSearch(roots, [...bundled, ...extra].filter(isCaCertificate), now);
  const path = await search.find(leaf!, 0, new Set());
  if (!path) {
    const reason = search.problems[0] ?? `certificate (${leaf!.subject}) is not signed by a trusted swarm CA`;
    throw new ShoalError("permission_denied", reason);
  }
  return { ...identity, issuerPublicKeyPem: publicKeyPem(path[0]!), trustRootPem: certificatesToPem([path[path.length - 1]!]) };
}

/** Depth-first search for issuers: trusted roots first, then intermediates; old and new roots share one subject, so signatures decide. */
class ChainSearch {
  /** Why candidate links were turned down (time problems), reported when no path is found. */
  readonly problems: string[] = [];

  constructor(
    readonly roots: readonly X509.X509Certificate[],
    readonly intermediates: readonly X509.X509Certificate[],
    readonly now: number,
  ) {}

  /** The issuers from `certificate` up to a trusted root (root last), or null. */
  async find(certificate: X509.X509Certificate, depth: number, used: Set<X509.X509Certificate>): Promise<X509.X509Certificate[] | null> {
    for (const root of this.roots) {
      if (await this.#links(certificate, root, "CA certificate")) return [root];
    }
    if (depth >= MAX_INTERMEDIATES) return null;
    for (const intermediate of this.intermediates) {
      if (used.has(intermediate) || !(await this.#links(certificate, intermediate, "intermediate CA certificate"))) continue;
      const rest = await this.find(intermediate, depth + 1, new Set([...used, intermediate]));
      if (rest) return [intermediate, ...rest];
    }
    return null;
  }

  async #links(certificate: X509.X509Certificate, issuer: X509.X509Certificate, what: string): Promise<boolean> {
    if (certificate.issuer !== issuer.subject) return false;
    if (!(await signedBy(certificate, issuer))) return false;
    const problem = timeProblem(issuer, this.now, what);
    if (problem) this.problems.push(problem);
    return !problem;
  }
}

async function signedBy(certificate: X509.X509Certificate, issuer: X509.X509Certificate): Promise<boolean> {
  try {
    return await certificate.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    return false;
  }
}

function timeProblem(certificate: X509.X509Certificate, now: number, what: string): string | null {
  if (now > certificate.notAfter.getTime()) return `${what} expired at ${certificate.notAfter.toISOString()} (${certificate.subject})`;
  if (now < certificate.notBefore.getTime()) {
    return `${what} is not valid before ${certificate.notBefore.toISOString()} (${certificate.subject}); check this host's clock`;
  }
  return null;
}
