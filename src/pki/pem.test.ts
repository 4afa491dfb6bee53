import { expect, test } from "bun:test";
import fc from "fast-check";
import { FakeClock } from "../../test/support/fake-clock.ts";
import { caught, testCa } from "../../test/support/pki-fixtures.ts";
import { decodePemBlocks, encodePem, parseCertificates } from "./pem.ts";
import { x509 } from "./x509.ts";

test("PEM written here reads back, and matches what @peculiar/x509 writes", () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const pem = encodePem(bytes, "PRIVATE KEY");
      expect(decodePemBlocks(pem, "PRIVATE KEY")).toEqual([bytes]);
      if (bytes.length > 0) expect(pem).toBe(x509().PemConverter.encode(bytes, "PRIVATE KEY") + "\n");
    }),
  );
});

test("only blocks of the asked type are read, in order, with headers and CRLF line ends tolerated", () => {
  const one = encodePem(new Uint8Array([1, 2, 3]), "CERTIFICATE");
  const two = encodePem(new Uint8Array([4, 5, 6]), "CERTIFICATE");
  const withHeaders = "-----BEGIN SHOAL DATA KEY-----\nProc-Type: 4,ENCRYPTED\n\nBwgJ\n-----END SHOAL DATA KEY-----\n";
  const text = `junk before\n${one}${withHeaders}${two.replaceAll("\n", "\r\n")}`;
  expect(decodePemBlocks(text, "CERTIFICATE")).toEqual([new Uint8Array([1, 2, 3]), new Uint8Array([4, 5, 6])]);
  expect(decodePemBlocks(text, "SHOAL DATA KEY")).toEqual([new Uint8Array([7, 8, 9])]);
  expect(decodePemBlocks(text, "PRIVATE KEY")).toEqual([]);
});

test("blocks with bad base64 or a mismatched END line are skipped", () => {
  expect(decodePemBlocks("-----BEGIN CERTIFICATE-----\nAB$D\n-----END CERTIFICATE-----\n", "CERTIFICATE")).toEqual([]);
  expect(decodePemBlocks("-----BEGIN CERTIFICATE-----\nAQID\n-----END PRIVATE KEY-----\n", "CERTIFICATE")).toEqual([]);
  expect(decodePemBlocks("-----BEGIN CERTIFICATE-----\nAQI\n-----END CERTIFICATE-----\n", "CERTIFICATE")).toEqual([]);
});

test("a bundle of certificates parses in order; a broken one is named by position", async () => {
  const clock = new FakeClock();
  const [a, b] = [(await testCa(clock)).root.certificatePem, (await testCa(clock)).root.certificatePem];
  const serials = parseCertificates(a + b, "bundle").map((certificate) => certificate.serialNumber);
  expect(serials).toHaveLength(2);
  expect(serials[0]).not.toBe(serials[1]);
  const error = await caught(() => parseCertificates(a + encodePem(new Uint8Array([48, 3, 2, 1, 1]), "CERTIFICATE"), "the bundle"));
  expect(error.code).toBe("invalid_argument");
  expect(error.message).toBe("the bundle: certificate 2 is not a valid X.509 certificate");
});
