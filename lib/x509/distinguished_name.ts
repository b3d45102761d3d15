/**
 * Distinguished names rendered exactly as notation prints them (Go `pkix.Name.String()`): RFC 4514
 * style, most specific attribute first, standard attributes in Go's fixed order, other attributes
 * as `OID=#hex`.
 *
 * @module
 */
import { toHex } from "../_internal/bytes.ts";
import type { Bytes } from "../_internal/bytes.ts";
import { CertificateInvalidError } from "../errors.ts";
import { decodeOid, encodeDer, readChildren, readSingle, TAG } from "./asn1.ts";

/** One attribute of a name, in certificate order. */
export interface NameAttribute {
  /** Dotted OID. */
  oid: string;
  /** Decoded string value. */
  value: string;
  /** Index of the RDN (SET) it came from. */
  rdn: number;
}

const SHORT_NAMES: Readonly<Record<string, string>> = {
  "2.5.4.6": "C",
  "2.5.4.8": "ST",
  "2.5.4.7": "L",
  "2.5.4.9": "STREET",
  "2.5.4.17": "POSTALCODE",
  "2.5.4.10": "O",
  "2.5.4.11": "OU",
  "2.5.4.3": "CN",
  "2.5.4.5": "SERIALNUMBER",
};

/** Go's `ToRDNSequence` order; CN and SERIALNUMBER keep only their last value. */
const GO_ORDER = ["2.5.4.6", "2.5.4.8", "2.5.4.7", "2.5.4.9", "2.5.4.17", "2.5.4.10", "2.5.4.11"];

function decodeString(tag: number, content: Bytes): string {
  switch (tag) {
    case 0x0c: // UTF8String
      return new TextDecoder("utf-8", { fatal: true }).decode(content);
    case 0x12: // NumericString
    case 0x13: // PrintableString
    case 0x14: // T61String
    case 0x16: // IA5String
      return String.fromCharCode(...content);
    case 0x1e: { // BMPString
      if (content.length % 2 !== 0) throw new SyntaxError("odd BMPString length");
      let s = "";
      for (let i = 0; i < content.length; i += 2) {
        s += String.fromCharCode((content[i]! << 8) | content[i + 1]!);
      }
      return s;
    }
    default:
      throw new SyntaxError(`unsupported string type 0x${tag.toString(16)}`);
  }
}

/**
 * Parses a DER Name into its attributes, in certificate order.
 *
 * @example
 * ```ts ignore
 * import { parseName } from "./distinguished_name.ts";
 * const attrs = parseName(certificate.rawSubject);
 * ```
 * @param der DER Name (SEQUENCE OF SET OF AttributeTypeAndValue).
 * @returns The attributes.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when malformed.
 */
export function parseName(der: Bytes): NameAttribute[] {
  try {
    const out: NameAttribute[] = [];
    readChildren(readSingle(der, TAG.SEQUENCE)).forEach((set, rdn) => {
      if (set.tag !== TAG.SET) throw new SyntaxError("RDN is not a SET");
      for (const atv of readChildren(set)) {
        const [type, value, extra] = readChildren(atv);
        if (!type || !value || extra || type.tag !== TAG.OID) throw new SyntaxError("bad ATV");
        out.push({
          oid: decodeOid(type.content),
          value: decodeString(value.tag, value.content),
          rdn,
        });
      }
    });
    return out;
  } catch (cause) {
    throw new CertificateInvalidError("The certificate has a malformed distinguished name", {
      cause,
    });
  }
}

function escapeValue(value: string): string {
  let out = "";
  const last = value.length - 1;
  for (let k = 0; k < value.length; k++) {
    const c = value[k]!;
    const escape = ',+"\\<>;'.includes(c) || (c === " " && (k === 0 || k === last)) ||
      (c === "#" && k === 0);
    out += escape ? `\\${c}` : c;
  }
  return out;
}

const GO_PRINTABLE_REGEXP = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

function goMarshalString(value: string): Bytes {
  const printable = GO_PRINTABLE_REGEXP.test(value);
  return encodeDer(printable ? 0x13 : 0x0c, new TextEncoder().encode(value));
}

/**
 * Formats name attributes as Go's `pkix.Name.String()` does, which is what notation prints and
 * what trusted identities are compared with.
 *
 * @example
 * ```ts
 * import { formatName } from "./distinguished_name.ts";
 * const s = formatName([
 *   { oid: "2.5.4.6", value: "US", rdn: 0 },
 *   { oid: "2.5.4.10", value: "Notary", rdn: 1 },
 *   { oid: "2.5.4.3", value: "test", rdn: 2 },
 * ]);
 * console.log(s); // CN=test,O=Notary,C=US
 * ```
 * @param attributes Attributes in certificate order.
 * @returns The DN string.
 */
export function formatName(attributes: readonly NameAttribute[]): string {
  const rdns: string[][] = [];
  for (const a of attributes) {
    if (!(a.oid in SHORT_NAMES)) {
      rdns.push([`${a.oid}=#${toHex(goMarshalString(a.value))}`]);
    }
  }
  const render = (oid: string, v: string) => `${SHORT_NAMES[oid]}=${escapeValue(v)}`;
  for (const oid of GO_ORDER) {
    const values = attributes.filter((a) => a.oid === oid).map((a) => render(oid, a.value));
    if (values.length > 0) rdns.push(values);
  }
  for (const oid of ["2.5.4.3", "2.5.4.5"]) {
    const lastValue = attributes.filter((a) => a.oid === oid).at(-1);
    if (lastValue && lastValue.value !== "") rdns.push([render(oid, lastValue.value)]);
  }
  return rdns.reverse().map((r) => r.join("+")).join(",");
}
