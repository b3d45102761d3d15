/**
 * Private DER helpers for revocation checking: strict element access, times, integers, the
 * certificate parts OCSP and CRL need (serial, extensions, public key bits).
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { toHex } from "../../_internal/bytes.ts";
import { decodeOid, readChildren, readSingle, TAG } from "../asn1.ts";
import type { DerElement } from "../asn1.ts";
import type { Certificate } from "../certificate.ts";

/** DER tags beyond the universal ones in `asn1.ts`. */
export const DER = {
  ENUMERATED: 0x0a,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
} as const;

/** Thrown by the helpers; callers turn it into a typed error naming the document. */
export class MalformedError extends Error {}

/** The children of a constructed element with the expected tag. */
export function kids(
  el: DerElement | undefined,
  what: string,
  tag: number = TAG.SEQUENCE,
): DerElement[] {
  if (el === undefined || el.tag !== tag) throw new MalformedError(`bad ${what}`);
  return readChildren(el);
}

/** Dotted OID of an OBJECT IDENTIFIER element. */
export function oidOf(el: DerElement | undefined, what: string): string {
  if (el === undefined || el.tag !== TAG.OID) throw new MalformedError(`bad ${what}`);
  return decodeOid(el.content);
}

/** A small non-negative INTEGER or ENUMERATED value. */
export function smallInt(el: DerElement | undefined, what: string, tag: number): number {
  if (el === undefined || el.tag !== tag || el.content.length === 0 || el.content.length > 4) {
    throw new MalformedError(`bad ${what}`);
  }
  let n = 0;
  for (const b of el.content) n = n * 256 + b;
  return n;
}

/** Hex of an INTEGER's content with redundant leading zero octets removed, for comparison. */
export function integerKey(content: Uint8Array): string {
  let i = 0;
  while (i < content.length - 1 && content[i] === 0) i++;
  return toHex(content.subarray(i));
}

/** A UTCTime or GeneralizedTime (RFC 5280 forms, fractional seconds allowed in the latter). */
export function timeOf(el: DerElement | undefined, what: string): Date {
  if (el === undefined || (el.tag !== DER.GENERALIZED_TIME && el.tag !== DER.UTC_TIME)) {
    throw new MalformedError(`bad ${what}`);
  }
  const text = new TextDecoder().decode(el.content);
  const m = el.tag === DER.GENERALIZED_TIME
    ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text)
    : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw new MalformedError(`bad ${what} ${JSON.stringify(text)}`);
  let year = Number(m[1]);
  if (el.tag === DER.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(
    Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms),
  );
}

/** One X.509 extension. */
export interface Extension {
  oid: string;
  critical: boolean;
  value: Bytes;
}

/** Parses an `Extensions` SEQUENCE. */
export function parseExtensions(el: DerElement | undefined, what: string): Extension[] {
  return kids(el, what).map((ext) => {
    const parts = kids(ext, `${what} entry`);
    const oid = oidOf(parts[0], `${what} OID`);
    let critical = false;
    let i = 1;
    if (parts[1]?.tag === TAG.BOOLEAN) {
      critical = parts[1].content[0] !== 0;
      i = 2;
    }
    const value = parts[i];
    if (value?.tag !== TAG.OCTET_STRING || parts.length !== i + 1) {
      throw new MalformedError(`bad ${what} value`);
    }
    return { oid, critical, value: value.content };
  });
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

/** Reads the serial number, extensions and public key bits of a certificate. */
export function certificateParts(cert: Certificate): CertificateParts {
  const [tbs] = kids(readSingle(cert.raw), "certificate");
  const fields = kids(tbs, "TBSCertificate");
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const serial = fields[offset];
  if (serial?.tag !== TAG.INTEGER) throw new MalformedError("bad certificate serial number");
  const spki = kids(fields[offset + 5], "SubjectPublicKeyInfo");
  if (spki[1]?.tag !== TAG.BIT_STRING) throw new MalformedError("bad subjectPublicKey");
  const explicit = fields.slice(offset + 6).find((f) => f.tag === 0xa3);
  const extensions = explicit
    ? parseExtensions(readSingle(explicit.content), "certificate extensions")
    : [];
  return { serial: serial.content, extensions, publicKeyBits: spki[1].content.subarray(1) };
}
