import { ShoalError } from "../lib/index.ts";
import { ouToRole, type NodeRole } from "./node-role.ts";
import { parseCertificates } from "./pem.ts";
import type { X509 } from "./x509.ts";

/** Who a node certificate says its holder is, read from the certificate alone (nothing verified yet). */
export interface NodeIdentity {
  /** The node ID (CN). */
  nodeId: string;
  /** The role (OU). */
  role: NodeRole;
  /** The cluster ID (O). */
  clusterId: string;
  /** Start of validity, milliseconds since the epoch. */
  notBefore: number;
  /** End of validity, milliseconds since the epoch. */
  notAfter: number;
  /** The serial number, lowercase hex. */
  serialNumber: string;
  /** The issuer's distinguished name, e.g. "CN=swarm-ca". */
  issuerSubject: string;
}

/** Reads the identity out of a node certificate (the first certificate of a PEM chain). */
export function parseNodeCertificate(pem: string): NodeIdentity {
  return identityOf(parseCertificates(pem, "the node certificate")[0]!);
}

/** The identity a parsed certificate carries; refuses certificates that are not swarm node certificates. */
export function identityOf(certificate: X509.X509Certificate): NodeIdentity {
  const field = (name: string): string => {
    const values = certificate.subjectName.getField(name);
    if (values.length !== 1 || !values[0]) {
      throw new ShoalError("invalid_argument", `certificate "${certificate.subject}" is not a swarm node certificate: it needs exactly one ${name}`);
    }
    return values[0];
  };
  const ou = field("OU");
  const role = ouToRole(ou);
  if (!role) {
    throw new ShoalError("invalid_argument", `certificate "${certificate.subject}" is not a swarm node certificate: OU ${JSON.stringify(ou)} is neither swarm-manager nor swarm-worker`);
  }
  return {
    nodeId: field("CN"),
    role,
    clusterId: field("O"),
    notBefore: certificate.notBefore.getTime(),
    notAfter: certificate.notAfter.getTime(),
    serialNumber: certificate.serialNumber.toLowerCase(),
    issuerSubject: certificate.issuer,
  };
}
