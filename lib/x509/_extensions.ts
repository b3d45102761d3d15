/**
 * Private: X.509 v3 extensions (RFC 5280 §4.1 and §4.2.1), read with the DER accessors of
 * `asn1.ts`: the `Extensions` list, and the three extensions the Notary profile judges.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { children, oidOf, readSingle, TAG } from "./asn1.ts";
import type { DerElement } from "./asn1.ts";

/** One X.509 extension. */
export interface Extension {
  /** Dotted OID of the extension. */
  oid: string;
  /** Whether it is marked critical. */
  critical: boolean;
  /** The extnValue OCTET STRING's content (the extension's own DER). */
  value: Bytes;
}

/** Parses an `Extensions` SEQUENCE. */
export function parseExtensions(el: DerElement | undefined, what: string): Extension[] {
  return children(el, what).map((ext) => {
    const parts = children(ext, `${what} entry`);
    const oid = oidOf(parts[0], `${what} OID`);
    let critical = false;
    let i = 1;
    if (parts[1]?.tag === TAG.BOOLEAN) {
      critical = parts[1].content[0] !== 0;
      i = 2;
    }
    const value = parts[i];
    if (value?.tag !== TAG.OCTET_STRING || parts.length !== i + 1) {
      throw new SyntaxError(`bad ${what} value`);
    }
    return { oid, critical, value: value.content };
  });
}

/**
 * Reads basicConstraints: `SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }`.
 * @throws {SyntaxError} when malformed.
 */
export function readBasicConstraints(
  value: Bytes,
): { ca: boolean; pathLength: number | undefined } {
  const parts = children(readSingle(value), "basicConstraints");
  let i = 0;
  let ca = false;
  if (parts[i]?.tag === TAG.BOOLEAN) {
    if (parts[i]!.content.length !== 1) throw new SyntaxError("bad basicConstraints cA");
    ca = parts[i++]!.content[0] !== 0;
  }
  let pathLength: number | undefined;
  if (parts[i]?.tag === TAG.INTEGER) {
    const n = parts[i++]!.content;
    if (n.length === 0 || n[0]! & 0x80 || n.length > 4) {
      throw new SyntaxError("bad basicConstraints pathLenConstraint");
    }
    pathLength = n.reduce((acc, b) => acc * 256 + b, 0);
  }
  if (i !== parts.length) throw new SyntaxError("bad basicConstraints");
  return { ca, pathLength };
}

/**
 * Reads keyUsage as a bit set: bit `n` of the BIT STRING (RFC 5280 order, `digitalSignature`
 * first) is the value `2^n`, as Go's `x509.KeyUsage`.
 * @throws {SyntaxError} when malformed.
 */
export function readKeyUsage(value: Bytes): number {
  const el = readSingle(value, TAG.BIT_STRING);
  const unused = el.content[0];
  if (unused === undefined || unused > 7) throw new SyntaxError("bad keyUsage");
  const bits = el.content.subarray(1);
  let flags = 0;
  for (let n = 0; n < bits.length * 8 - (bits.length === 0 ? 0 : unused); n++) {
    if (bits[n >> 3]! & (0x80 >> (n & 7))) flags += 2 ** n;
  }
  return flags;
}

/**
 * Reads extendedKeyUsage: the dotted OIDs in certificate order.
 * @throws {SyntaxError} when malformed.
 */
export function readExtendedKeyUsage(value: Bytes): string[] {
  return children(readSingle(value), "extendedKeyUsage").map((el) => oidOf(el, "key purpose"));
}
