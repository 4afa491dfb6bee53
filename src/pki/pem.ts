import { ShoalError } from "../lib/index.ts";
import { x509, type X509 } from "./x509.ts";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** Writes DER bytes as one PEM block of the given type ("CERTIFICATE", "PRIVATE KEY", …), 64 characters a line. */
export function encodePem(der: ArrayBuffer | Uint8Array, type: string): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString("base64");
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join("\n")}${lines.length ? "\n" : ""}-----END ${type}-----\n`;
}

/** The DER of every well-formed PEM block of `type` in `text`, in order (RFC 1421 headers are skipped). */
export function decodePemBlocks(text: string, type: string): Uint8Array<ArrayBuffer>[] {
  const blocks: Uint8Array<ArrayBuffer>[] = [];
  if (typeof text !== "string") return blocks;
  for (const [, blockType, body] of text.matchAll(PEM_BLOCK)) {
    if (blockType !== type) continue;
    const base64 = body!
      .split(/\r?\n/)
      .filter((line) => !line.includes(":"))
      .join("")
      .replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length % 4 !== 0) continue;
    blocks.push(new Uint8Array(Buffer.from(base64, "base64")));
  }
  return blocks;
}

/** Parses every certificate of a PEM bundle; `what` names the bundle in the error a user sees. */
export function parseCertificates(pem: string, what: string): X509.X509Certificate[] {
  const blocks = decodePemBlocks(pem, "CERTIFICATE");
  if (blocks.length === 0) throw new ShoalError("invalid_argument", `${what} holds no PEM certificate`);
  const { X509Certificate } = x509();
  return blocks.map((der, index) => {
    try {
      return new X509Certificate(der);
    } catch (error) {
      throw new ShoalError("invalid_argument", `${what}: certificate ${index + 1} is not a valid X.509 certificate`, { cause: error });
    }
  });
}

/** Parses a PEM bundle that must hold exactly one certificate. */
export function parseCertificate(pem: string, what: string): X509.X509Certificate {
  const certificates = parseCertificates(pem, what);
  if (certificates.length !== 1) throw new ShoalError("invalid_argument", `${what} must hold one certificate, not ${certificates.length}`);
  return certificates[0]!;
}

/** The PEM of a list of certificates, one block after another. */
export function certificatesToPem(certificates: readonly X509.X509Certificate[]): string {
  return certificates.map((certificate) => encodePem(certificate.rawData, "CERTIFICATE")).join("");
}

/** The SubjectPublicKeyInfo of a certificate as "PUBLIC KEY" PEM, the form identities compare by. */
export function publicKeyPem(certificate: X509.X509Certificate): string {
  return encodePem(certificate.publicKey.rawData, "PUBLIC KEY");
}
