import type { Clock } from "../lib/index.ts";
import { caExtensions } from "./ca-certificate.ts";
import { exportPrivateKeyPem, generateEcKeyPair } from "./ec-key.ts";
import { encodePem } from "./pem.ts";
import { newSerialNumber } from "./serial-number.ts";
import { BACKDATE_MS, HOUR_MS, toCertificateTime } from "./validity.ts";
import { EC_ALGORITHM, x509 } from "./x509.ts";

/** The common name of every swarm root CA, as SwarmKit's. */
export const ROOT_CA_COMMON_NAME = "swarm-ca";

/** How long a root CA certificate is valid: 20 years. */
export const ROOT_CA_VALIDITY_MS = 20 * 365 * 24 * HOUR_MS;

/** A CA's certificate and private key as PEM: the form the cluster store keeps and sends. */
export interface RootCa {
  /** The self-signed CA certificate, PEM. */
  certificatePem: string;
  /** The CA's private key, PKCS#8 PEM. */
  keyPem: string;
}

/** Options of {@link createRootCA}. */
export interface CreateRootCaOptions {
  /** Where notBefore and notAfter come from. */
  clock: Clock;
}

/** Makes a new swarm root CA: an ECDSA P-256 key and a self-signed "CN=swarm-ca" certificate valid 20 years. */
export async function createRootCA(options: CreateRootCaOptions): Promise<RootCa> {
  const keys = await generateEcKeyPair();
  const now = options.clock.now();
  const certificate = await x509().X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [ROOT_CA_COMMON_NAME] }],
    keys,
    serialNumber: newSerialNumber(),
    notBefore: toCertificateTime(now - BACKDATE_MS),
    notAfter: toCertificateTime(now + ROOT_CA_VALIDITY_MS),
    signingAlgorithm: EC_ALGORITHM,
    extensions: await caExtensions(keys.publicKey),
  });
  return { certificatePem: encodePem(certificate.rawData, "CERTIFICATE"), keyPem: await exportPrivateKeyPem(keys.privateKey) };
}
