import { caExtensions } from "./ca-certificate.ts";
import { importPrivateKeyPem } from "./ec-key.ts";
import { encodePem, parseCertificate } from "./pem.ts";
import type { RootCa } from "./root-ca.ts";
import { newSerialNumber } from "./serial-number.ts";
import { EC_ALGORITHM, x509 } from "./x509.ts";

/**
 * A certificate for the new root's key and subject signed by the old root's key, with the new root's validity.
 * Certificates the new root issues then chain to the old root through it, and to the new root directly.
 */
export async function crossSignRootCA(newRootCertificatePem: string, oldRoot: RootCa): Promise<string> {
  const newRoot = parseCertificate(newRootCertificatePem, "the new root CA certificate");
  const oldCertificate = parseCertificate(oldRoot.certificatePem, "the old root CA certificate");
  const { AuthorityKeyIdentifierExtension, X509CertificateGenerator } = x509();
  const crossSigned = await X509CertificateGenerator.create({
    serialNumber: newSerialNumber(),
    subject: newRoot.subjectName,
    issuer: oldCertificate.subjectName,
    publicKey: newRoot.publicKey,
    signingKey: await importPrivateKeyPem(oldRoot.keyPem, "the old root CA key"),
    signingAlgorithm: EC_ALGORITHM,
    notBefore: newRoot.notBefore,
    notAfter: newRoot.notAfter,
    extensions: [...(await caExtensions(newRoot.publicKey)), await AuthorityKeyIdentifierExtension.create(oldCertificate.publicKey)],
  });
  return encodePem(crossSigned.rawData, "CERTIFICATE");
}
