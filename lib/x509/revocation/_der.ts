/**
 * Private: the certificate parts OCSP and CRL need (serial, extensions, public key bits), read
 * with the DER accessors of `asn1.ts`.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { toHex } from "../../_internal/bytes.ts";
import { children, readSingle, TAG } from "../asn1.ts";
import type { Certificate } from "../certificate.ts";
import { parseExtensions } from "../_extensions.ts";
import type { Extension } from "../_extensions.ts";

/** Thrown by the revocation parsers; callers turn it into a typed error naming the document. */
export class MalformedError extends SyntaxError {}

/** Hex of an INTEGER's content with redundant leading zero octets removed, for comparison. */
export function integerKey(content: Uint8Array): string {
  let i = 0;
  while (i < content.length - 1 && content[i] === 0) i++;
  return toHex(content.subarray(i));
}

/** What revocation checking reads from a certificate. */
export interface CertificateParts {
  /** INTEGER content of the serial number. */
  serial: Bytes;
  /** The v3 extensions (empty for v1). */
  extensions: Extension[];
  /** The subjectPublicKey BIT STRING without its unused-bits octet (OCSP issuerKeyHash input). */
  publicKeyBits: Bytes;
}

/** Parts already read, so that a chain is read once however often it is checked. */
const PARTS = new WeakMap<Certificate, CertificateParts>();

/** Reads (once per certificate) the serial number, extensions and public key bits. */
export function certificateParts(cert: Certificate): CertificateParts {
  let parts = PARTS.get(cert);
  if (parts === undefined) {
    parts = readCertificateParts(cert);
    PARTS.set(cert, parts);
  }
  return parts;
}

function readCertificateParts(cert: Certificate): CertificateParts {
  const [tbs] = children(readSingle(cert.raw), "certificate");
  const fields = children(tbs, "TBSCertificate");
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[offset];
  if (serial?.tag !== TAG.INTEGER) throw new MalformedError("bad certificate serial number");
  const spki = children(fields[offset + 5], "SubjectPublicKeyInfo");
  if (spki[1]?.tag !== TAG.BIT_STRING) throw new MalformedError("bad subjectPublicKey");
  const explicit = fields.slice(offset + 6).find((f) => f.tag === 0xa3);
  const extensions = explicit
    ? parseExtensions(readSingle(explicit.content), "certificate extensions")
    : [];
  return { serial: serial.content, extensions, publicKeyBits: spki[1].content.subarray(1) };
}
