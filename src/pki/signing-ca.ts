import { ShoalError } from "../lib/index.ts";
import { isCaCertificate } from "./ca-certificate.ts";
import { importPrivateKeyPem, keyMatchesCertificate } from "./ec-key.ts";
import { certificatesToPem, parseCertificate, parseCertificates } from "./pem.ts";

/** What a CA that signs node certificates is made of, as PEM. */
export interface SigningCaMaterial {
  /** The certificate whose key signs (a root, or the new root during a rotation). */
  certificatePem: string;
  /** Its PKCS#8 PEM private key. */
  keyPem: string;
  /** Certificates handed out after each leaf so peers can reach their trust root (the cross-signed root during a rotation). */
  intermediatesPem?: string;
}

/** A CA ready to sign: its key imported once, so each issuance costs only the signature. */
export interface SigningCa {
  /** The signing certificate, PEM. */
  readonly certificatePem: string;
  /** The intermediates appended to every issued certificate ("" when there are none). */
  readonly intermediatesPem: string;
  /** The signing key. */
  readonly privateKey: CryptoKey;
}

/** Imports a CA's key and certificate for signing; refuses a key that is not the certificate's or a certificate that is not a CA. */
export async function openSigningCa(material: SigningCaMaterial): Promise<SigningCa> {
  const certificate = parseCertificate(material.certificatePem, "the CA certificate");
  if (!isCaCertificate(certificate)) {
    throw new ShoalError("invalid_argument", `the CA certificate (${certificate.subject}) is not a CA: it lacks BasicConstraints CA=true and keyCertSign`);
  }
  const privateKey = await importPrivateKeyPem(material.keyPem, "the CA key");
  if (!(await keyMatchesCertificate(privateKey, certificate))) {
    throw new ShoalError("invalid_argument", "the CA key does not match the CA certificate");
  }
  const intermediates = material.intermediatesPem?.trim() ? parseCertificates(material.intermediatesPem, "the CA intermediates") : [];
  return { certificatePem: certificatesToPem([certificate]), intermediatesPem: certificatesToPem(intermediates), privateKey };
}
