/**
 * The one strict DER reader and writer of ocisign: just enough ASN.1 to reach the raw parts of
 * a certificate, a CRL, an OCSP response and a timestamp token, with typed accessors that name
 * what they expected, and to wrap legacy private keys in PKCS#8. Every malformed input throws a
 * `SyntaxError`; callers turn it into a typed error naming the document.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";

/** One DER element: its tag byte, the whole encoding and the content octets. */
export interface DerElement {
  /** The identifier octet (single-byte tags only). */
  tag: number;
  /** The full encoding (identifier, length, content). */
  raw: Bytes;
  /** The content octets. */
  content: Bytes;
}

/** ASN.1 universal tags used here. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/**
 * Reads one DER element at `offset`.
 *
 * @example
 * ```ts
 * import { readDer } from "./asn1.ts";
 * const el = readDer(new Uint8Array([0x05, 0x00]));
 * console.log(el.tag); // 5
 * ```
 * @param bytes The buffer.
 * @param offset Where the element starts.
 * @returns The element.
 * @throws {SyntaxError} when the encoding is truncated, uses indefinite or non-minimal lengths,
 * or a multi-byte tag.
 */
export function readDer(bytes: Uint8Array, offset = 0): DerElement {
  if (offset + 2 > bytes.length) throw new SyntaxError("DER element is truncated");
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new SyntaxError("DER multi-byte tags are not supported");
  let len = bytes[offset + 1]!;
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new SyntaxError("DER indefinite length is not allowed");
    if (n > 4) throw new SyntaxError("DER length is too large");
    if (offset + 2 + n > bytes.length) throw new SyntaxError("DER length is truncated");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + bytes[offset + 2 + i]!;
    if (len < 0x80 || bytes[offset + 2] === 0) throw new SyntaxError("DER length is not minimal");
    head += n;
  }
  const end = offset + head + len;
  if (end > bytes.length) throw new SyntaxError("DER content is truncated");
  return {
    tag,
    raw: bytes.slice(offset, end) as Bytes,
    content: bytes.slice(offset + head, end) as Bytes,
  };
}

/**
 * Reads the elements inside a constructed element's content.
 *
 * @example
 * ```ts
 * import { readDer, readChildren } from "./asn1.ts";
 * const seq = readDer(new Uint8Array([0x30, 0x04, 0x05, 0x00, 0x05, 0x00]));
 * console.log(readChildren(seq).length); // 2
 * ```
 * @param el A constructed element (SEQUENCE, SET, context tag).
 * @returns Its children in order.
 * @throws {SyntaxError} when a child is malformed.
 */
export function readChildren(el: DerElement): DerElement[] {
  const out: DerElement[] = [];
  let offset = 0;
  while (offset < el.content.length) {
    const child = readDer(el.content, offset);
    out.push(child);
    offset += child.raw.length;
  }
  return out;
}

/**
 * Decodes an OBJECT IDENTIFIER's content to dotted form.
 *
 * @example
 * ```ts
 * import { decodeOid } from "./asn1.ts";
 * console.log(decodeOid(new Uint8Array([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01]))); // 1.2.840.10045.2.1
 * ```
 * @param content The OID content octets.
 * @returns Dotted decimal text.
 * @throws {SyntaxError} when the encoding is malformed.
 */
export function decodeOid(content: Uint8Array): string {
  if (content.length === 0) throw new SyntaxError("DER OID is empty");
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < content.length; i++) {
    const b = content[i]!;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) throw new SyntaxError("DER OID arc is too large");
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0;
    } else if (i === content.length - 1) {
      throw new SyntaxError("DER OID is truncated");
    }
  }
  const first = arcs.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs].join(".");
}

/**
 * Encodes an OBJECT IDENTIFIER element from dotted form.
 *
 * @example
 * ```ts
 * import { encodeOid } from "./asn1.ts";
 * console.log(encodeOid("1.2.840.113549.1.1.1").length); // 11
 * ```
 * @param oid Dotted decimal text.
 * @returns The full DER element.
 */
export function encodeOid(oid: string): Bytes {
  const arcs = oid.split(".").map(Number);
  const body: number[] = [];
  const values = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  for (const v of values) {
    const chunk: number[] = [v & 0x7f];
    let rest = Math.floor(v / 128);
    while (rest > 0) {
      chunk.unshift((rest & 0x7f) | 0x80);
      rest = Math.floor(rest / 128);
    }
    body.push(...chunk);
  }
  return encodeDer(TAG.OID, new Uint8Array(body));
}

/**
 * Encodes one DER element.
 *
 * @example
 * ```ts
 * import { encodeDer } from "./asn1.ts";
 * console.log(encodeDer(0x05, new Uint8Array(0))); // Uint8Array [5, 0]
 * ```
 * @param tag The identifier octet.
 * @param content The content octets.
 * @returns The encoding.
 */
export function encodeDer(tag: number, content: Uint8Array): Bytes {
  const len = content.length;
  let head: number[];
  if (len < 0x80) head = [tag, len];
  else {
    const lenBytes: number[] = [];
    for (let l = len; l > 0; l = Math.floor(l / 256)) lenBytes.unshift(l & 0xff);
    head = [tag, 0x80 | lenBytes.length, ...lenBytes];
  }
  return concat([new Uint8Array(head), content]);
}

/**
 * Reads exactly one element spanning all of `bytes`.
 *
 * @example
 * ```ts
 * import { readSingle, TAG } from "./asn1.ts";
 * console.log(readSingle(new Uint8Array([0x05, 0x00]), TAG.NULL).tag); // 5
 * ```
 * @param bytes The encoding.
 * @param expectTag The tag it must have, when given.
 * @returns The element.
 * @throws {SyntaxError} when malformed, followed by trailing bytes, or of another tag.
 */
export function readSingle(bytes: Uint8Array, expectTag?: number): DerElement {
  const el = readDer(bytes, 0);
  if (el.raw.length !== bytes.length) throw new SyntaxError("DER element has trailing data");
  if (expectTag !== undefined && el.tag !== expectTag) {
    throw new SyntaxError(
      `DER tag 0x${el.tag.toString(16)} found where 0x${expectTag.toString(16)} was expected`,
    );
  }
  return el;
}

/**
 * Bit length of an unsigned big-endian INTEGER's content (leading zero octets ignored), as Go's
 * `big.Int.BitLen`.
 *
 * @example
 * ```ts
 * import { integerBitLength } from "./asn1.ts";
 * console.log(integerBitLength(new Uint8Array([0x00, 0x80, 0x00]))); // 16
 * ```
 * @param content INTEGER content octets.
 * @returns The number of significant bits.
 */
export function integerBitLength(content: Uint8Array): number {
  let i = 0;
  while (i < content.length && content[i] === 0) i++;
  if (i === content.length) return 0;
  return (content.length - i - 1) * 8 + (32 - Math.clz32(content[i]!));
}

/**
 * The children of a constructed element, which must be present with the expected tag.
 *
 * @example
 * ```ts
 * import { children, readSingle } from "./asn1.ts";
 * console.log(children(readSingle(new Uint8Array([0x30, 0x02, 0x05, 0x00])), "list").length); // 1
 * ```
 * @param el The element (undefined when absent).
 * @param what What it is, for the error.
 * @param tag The expected tag (SEQUENCE by default).
 * @returns Its children in order.
 * @throws {SyntaxError} `bad <what>` when absent, of another tag or malformed.
 */
export function children(
  el: DerElement | undefined,
  what: string,
  tag: number = TAG.SEQUENCE,
): DerElement[] {
  if (el === undefined || el.tag !== tag) throw new SyntaxError(`bad ${what}`);
  return readChildren(el);
}

/**
 * The dotted form of an OBJECT IDENTIFIER element.
 *
 * @example
 * ```ts
 * import { encodeOid, oidOf, readSingle } from "./asn1.ts";
 * console.log(oidOf(readSingle(encodeOid("1.2.3")), "oid")); // 1.2.3
 * ```
 * @param el The element (undefined when absent).
 * @param what What it is, for the error.
 * @returns Dotted decimal text.
 * @throws {SyntaxError} `bad <what>` when absent or not an OID.
 */
export function oidOf(el: DerElement | undefined, what: string): string {
  if (el === undefined || el.tag !== TAG.OID) throw new SyntaxError(`bad ${what}`);
  return decodeOid(el.content);
}

/**
 * A small non-negative INTEGER or ENUMERATED value (at most six octets).
 *
 * @example
 * ```ts
 * import { readSingle, smallInt, TAG } from "./asn1.ts";
 * console.log(smallInt(readSingle(new Uint8Array([0x02, 0x01, 0x05])), "n", TAG.INTEGER)); // 5
 * ```
 * @param el The element (undefined when absent).
 * @param what What it is, for the error.
 * @param tag The expected tag; any tag when undefined.
 * @returns The value.
 * @throws {SyntaxError} `bad <what>` when absent, of another tag, empty or too large.
 */
export function smallInt(el: DerElement | undefined, what: string, tag?: number): number {
  if (
    el === undefined || (tag !== undefined && el.tag !== tag) || el.content.length === 0 ||
    el.content.length > 6
  ) {
    throw new SyntaxError(`bad ${what}`);
  }
  let n = 0;
  for (const b of el.content) n = n * 256 + b;
  return n;
}

/**
 * A UTCTime or GeneralizedTime (RFC 5280 forms; fractional seconds allowed in the latter).
 *
 * @example
 * ```ts
 * import { encodeDer, readSingle, TAG, timeOf } from "./asn1.ts";
 * const el = readSingle(encodeDer(TAG.UTC_TIME, new TextEncoder().encode("250102030405Z")));
 * console.log(timeOf(el, "time").toISOString()); // 2025-01-02T03:04:05.000Z
 * ```
 * @param el The element (undefined when absent).
 * @param what What it is, for the error.
 * @returns The time.
 * @throws {SyntaxError} `bad <what>` when absent, of another tag or not a valid time.
 */
export function timeOf(el: DerElement | undefined, what: string): Date {
  if (el === undefined || (el.tag !== TAG.GENERALIZED_TIME && el.tag !== TAG.UTC_TIME)) {
    throw new SyntaxError(`bad ${what}`);
  }
  const text = new TextDecoder().decode(el.content);
  const m = el.tag === TAG.GENERALIZED_TIME
    ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text)
    : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) throw new SyntaxError(`bad ${what} ${JSON.stringify(text)}`);
  let year = Number(m[1]);
  if (el.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(
    Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms),
  );
}

/**
 * Converts a DER ECDSA signature (`SEQUENCE { r INTEGER, s INTEGER }`) to the raw r‖s form
 * WebCrypto verifies, each half the curve's byte length.
 *
 * @example
 * ```ts
 * import { ecdsaDerToRaw } from "./asn1.ts";
 * const der = new Uint8Array([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x02]);
 * console.log(ecdsaDerToRaw(der, 256).length); // 64
 * ```
 * @param der The DER signature.
 * @param curveBits The curve size in bits (256, 384, 521).
 * @returns r‖s.
 * @throws {SyntaxError} `bad ECDSA signature` when malformed or too long for the curve.
 */
export function ecdsaDerToRaw(der: Uint8Array, curveBits: number): Bytes {
  const [r, s, extra] = children(readSingle(der), "ECDSA signature");
  if (r?.tag !== TAG.INTEGER || s?.tag !== TAG.INTEGER || extra) {
    throw new SyntaxError("bad ECDSA signature");
  }
  const size = Math.ceil(curveBits / 8);
  const pad = (n: Uint8Array): Uint8Array => {
    let i = 0;
    while (i < n.length - 1 && n[i] === 0) i++;
    const v = n.subarray(i);
    if (v.length > size) throw new SyntaxError("bad ECDSA signature");
    const out = new Uint8Array(size);
    out.set(v, size - v.length);
    return out;
  };
  return concat([pad(r.content), pad(s.content)]);
}
