import { ShoalError, type Clock } from "../lib/index.ts";
import { decodePemBlocks, encodePem, parseCertificate } from "./pem.ts";
import { CA_SERVER_NAME, roleToOu, type NodeRole } from "./node-role.ts";
import { newSerialNumber } from "./serial-number.ts";
import type { SigningCa } from "./signing-ca.ts";
import { BACKDATE_MS, HOUR_MS, formatGoDuration, toCertificateTime } from "./validity.ts";
import { EC_ALGORITHM, x509, type X509 } from "./x509.ts";

/** How long a node certificate is valid unless the cluster says otherwise: 2160 h = 90 days. */
export const DEFAULT_NODE_CERT_VALIDITY_MS = 2160 * HOUR_MS;

/** The shortest node certificate validity a cluster may ask for: 1 hour. */
export const MIN_NODE_CERT_VALIDITY_MS = HOUR_MS;

/** Who the certificate is for; the CA decides these, never the CSR. */
export interface IssueNodeCertificateOptions {
  /** The node ID, written as CN. */
  nodeId: string;
  /** The role, written as OU. */
  role: NodeRole;
  /** The cluster ID, written as O. */
  clusterId: string;
  /** Where notBefore and notAfter come from. */
  clock: Clock;
  /** Validity from now; defaults to {@link DEFAULT_NODE_CERT_VALIDITY_MS}, at least {@link MIN_NODE_CERT_VALIDITY_MS}. */
  validityMs?: number;
}

/** A freshly issued node certificate. */
export interface IssuedNodeCertificate {
  /** The leaf certificate alone, PEM. */
  certificatePem: string;
  /** The leaf followed by the CA's intermediates: what the node stores and presents in TLS. */
  chainPem: string;
}

/** Signs a node's CSR into its certificate after checking the CSR's own signature; the subject the CSR asks for is ignored. */
export async function issueNodeCertificate(ca: SigningCa, csrPem: string, options: IssueNodeCertificateOptions): Promise<IssuedNodeCertificate> {
  const validityMs = options.validityMs ?? DEFAULT_NODE_CERT_VALIDITY_MS;
  if (!Number.isFinite(validityMs) || validityMs < MIN_NODE_CERT_VALIDITY_MS) {
    throw new ShoalError("invalid_argument", `minimum certificate expiry time is: ${formatGoDuration(MIN_NODE_CERT_VALIDITY_MS)} (asked for ${formatGoDuration(validityMs)})`);
  }
  requireName("node ID", options.nodeId);
  requireName("cluster ID", options.clusterId);
  const ou = roleToOu(options.role);
  const csr = await parseVerifiedCsr(csrPem);
  const caCertificate = parseCertificate(ca.certificatePem, "the CA certificate");
  const now = options.clock.now();
  if (caCertificate.notAfter.getTime() <= now) {
    throw new ShoalError("failed_precondition", `the swarm CA certificate expired at ${caCertificate.notAfter.toISOString()}; rotate the CA with "shoal swarm ca --rotate"`);
  }
  const dnsNames = options.role === "manager" ? [ou, options.nodeId, CA_SERVER_NAME] : [ou, options.nodeId];
  const {
    AuthorityKeyIdentifierExtension,
    BasicConstraintsExtension,
    ExtendedKeyUsage,
    ExtendedKeyUsageExtension,
    KeyUsageFlags,
    KeyUsagesExtension,
    SubjectAlternativeNameExtension,
    X509CertificateGenerator,
  } = x509();
  const certificate = await X509CertificateGenerator.create({
    serialNumber: newSerialNumber(),
    subject: [{ O: [options.clusterId] }, { OU: [ou] }, { CN: [options.nodeId] }],
    issuer: caCertificate.subjectName,
    publicKey: csr.publicKey,
    signingKey: ca.privateKey,
    signingAlgorithm: EC_ALGORITHM,
    notBefore: toCertificateTime(now - BACKDATE_MS),
    // A leaf never outlives the certificate that signed it.
    notAfter: toCertificateTime(Math.min(now + validityMs, caCertificate.notAfter.getTime())),
    extensions: [
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth, ExtendedKeyUsage.clientAuth]),
      new BasicConstraintsExtension(false, undefined, true),
      new SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: "dns" as const, value }))),
      await AuthorityKeyIdentifierExtension.create(caCertificate.publicKey),
    ],
  });
  const certificatePem = encodePem(certificate.rawData, "CERTIFICATE");
  return { certificatePem, chainPem: certificatePem + ca.intermediatesPem };
}

/** Parses a PEM CSR and checks it is signed by its own ECDSA P-256 key. */
async function parseVerifiedCsr(csrPem: string): Promise<X509.Pkcs10CertificateRequest> {
  const [der] = decodePemBlocks(csrPem, "CERTIFICATE REQUEST");
  if (!der) throw new ShoalError("invalid_argument", "the certificate signing request is not PEM (-----BEGIN CERTIFICATE REQUEST-----)");
  let csr: X509.Pkcs10CertificateRequest;
  let valid: boolean;
  try {
    csr = new (x509().Pkcs10CertificateRequest)(der);
    // A CSR altered after signing can fail to parse its key instead of failing the signature check.
    valid = await csr.verify();
  } catch (error) {
    throw new ShoalError("invalid_argument", "the certificate signing request is malformed or was tampered with", { cause: error });
  }
  if (!valid) throw new ShoalError("invalid_argument", "the certificate signing request's signature does not match its key; it was tampered with");
  const algorithm = csr.publicKey.algorithm as { name: string; namedCurve?: string };
  if (algorithm.name !== "ECDSA" || algorithm.namedCurve !== "P-256") {
    throw new ShoalError("invalid_argument", `the certificate signing request's key must be ECDSA P-256, not ${algorithm.name} ${algorithm.namedCurve ?? ""}`.trim());
  }
  return csr;
}

function requireName(what: string, value: string): void {
  if (typeof value !== "string" || value.length === 0 || value.length > 64) {
    throw new ShoalError("invalid_argument", `a node certificate needs a ${what} of 1 to 64 characters`);
  }
}
