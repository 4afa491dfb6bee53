import { X509Certificate } from "node:crypto";
import { ShoalError } from "../lib/index.ts";
import type { TLSInfo } from "../types/index.ts";

/** A DER element: where its content starts and where it ends. */
interface DerElement {
  tag: number;
  start: number;
  contentStart: number;
  end: number;
}

function readElement(der: Uint8Array, offset: number): DerElement {
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let contentStart = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + der[contentStart + i]!;
    contentStart += octets;
  }
  if (contentStart + length > der.length) throw new ShoalError("invalid_argument", "the root CA certificate is truncated");
  return { tag, start: offset, contentStart, end: contentStart + length };
}

/** The DER of a certificate's subject Name: the sixth field of TBSCertificate (fifth without a version). */
function subjectDer(certificate: Uint8Array): Uint8Array {
  const tbs = readElement(certificate, readElement(certificate, 0).contentStart);
  let element = readElement(certificate, tbs.contentStart);
  if (element.tag === 0xa0) element = readElement(certificate, element.end); // [0] version
  for (let field = 0; field < 4; field++) element = readElement(certificate, element.end); // serial, signature, issuer, validity
  return certificate.subarray(element.start, element.end);
}

/** The swarm's TLS identity as the Engine API shows it: the root PEM, its subject and public key (DER, base64). */
export function tlsInfoOf(rootCaPem: string): TLSInfo {
  const certificate = new X509Certificate(rootCaPem);
  const publicKey = certificate.publicKey.export({ type: "spki", format: "der" });
  return {
    TrustRoot: rootCaPem,
    CertIssuerSubject: Buffer.from(subjectDer(new Uint8Array(certificate.raw))).toString("base64"),
    CertIssuerPublicKey: Buffer.from(publicKey).toString("base64"),
  };
}
