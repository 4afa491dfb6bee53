import { ShoalError } from "../lib/index.ts";
import { decodePemBlocks, encodePem } from "./pem.ts";
import { EC_ALGORITHM, type X509 } from "./x509.ts";

/** Makes a new ECDSA P-256 key pair; the private key is extractable so it can be written as PKCS#8. */
export async function generateEcKeyPair(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(EC_ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
}

/** The private key as PKCS#8 PEM ("PRIVATE KEY"). */
export async function exportPrivateKeyPem(privateKey: CryptoKey): Promise<string> {
  return encodePem(await crypto.subtle.exportKey("pkcs8", privateKey), "PRIVATE KEY");
}

/** Reads a PKCS#8 PEM ECDSA P-256 private key for signing; `what` names the key in errors. */
export async function importPrivateKeyPem(pem: string, what: string): Promise<CryptoKey> {
  const [der] = decodePemBlocks(pem, "PRIVATE KEY");
  if (!der) throw new ShoalError("invalid_argument", `${what} is not a PKCS#8 PEM private key (-----BEGIN PRIVATE KEY-----)`);
  try {
    return await crypto.subtle.importKey("pkcs8", der, { name: EC_ALGORITHM.name, namedCurve: EC_ALGORITHM.namedCurve }, true, ["sign"]);
  } catch (error) {
    throw new ShoalError("invalid_argument", `${what} is not an ECDSA P-256 private key`, { cause: error });
  }
}

/** True when `privateKey` is the private half of the certificate's public key. */
export async function keyMatchesCertificate(privateKey: CryptoKey, certificate: X509.X509Certificate): Promise<boolean> {
  const own = await crypto.subtle.exportKey("jwk", privateKey);
  const theirs = await certificate.publicKey
    .export()
    .then((publicKey) => crypto.subtle.exportKey("jwk", publicKey))
    .catch(() => null);
  return theirs !== null && own.crv === theirs.crv && own.x === theirs.x && own.y === theirs.y;
}
