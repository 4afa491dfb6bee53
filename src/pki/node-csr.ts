import { exportPrivateKeyPem, generateEcKeyPair } from "./ec-key.ts";
import { encodePem } from "./pem.ts";
import { EC_ALGORITHM, x509 } from "./x509.ts";

/** A node's new private key and the request a CA turns into its certificate. */
export interface NodeKeyAndCsr {
  /** The node's private key, PKCS#8 PEM; it never leaves the node. */
  keyPem: string;
  /** A PKCS#10 certificate signing request for the key, PEM; its subject is empty because the CA decides it. */
  csrPem: string;
}

/** Makes a node's ECDSA P-256 key and a CSR signed by it. */
export async function createNodeKeyAndCsr(): Promise<NodeKeyAndCsr> {
  const keys = await generateEcKeyPair();
  const csr = await x509().Pkcs10CertificateRequestGenerator.create({ keys, signingAlgorithm: EC_ALGORITHM });
  return { keyPem: await exportPrivateKeyPem(keys.privateKey), csrPem: encodePem(csr.rawData, "CERTIFICATE REQUEST") };
}
