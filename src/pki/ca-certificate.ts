import { x509, type X509 } from "./x509.ts";

/** The extensions of a CA certificate for `publicKey`: BasicConstraints CA, keyCertSign|cRLSign, SKI. */
export async function caExtensions(publicKey: X509.PublicKeyType): Promise<X509.Extension[]> {
  const { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension, SubjectKeyIdentifierExtension } = x509();
  return [
    new BasicConstraintsExtension(true, undefined, true),
    new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
    await SubjectKeyIdentifierExtension.create(publicKey),
  ];
}

/** True when the certificate may sign others: BasicConstraints CA=true and, when present, KeyUsage keyCertSign. */
export function isCaCertificate(certificate: X509.X509Certificate): boolean {
  const { BasicConstraintsExtension, KeyUsageFlags, KeyUsagesExtension } = x509();
  if (!certificate.getExtension(BasicConstraintsExtension)?.ca) return false;
  const usage = certificate.getExtension(KeyUsagesExtension);
  return !usage || (usage.usages & KeyUsageFlags.keyCertSign) !== 0;
}
