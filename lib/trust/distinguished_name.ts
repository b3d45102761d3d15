/**
 * Distinguished names as the Notary Project trust policy uses them in
 * `x509.subject: <DN>` identities: RFC 4514 text parsed the way notation does (go-ldap's parser
 * plus notation's rules), compared as attribute sets with exact, case-sensitive values.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trusted-identities-constraints
 * @module
 */
import { TrustPolicyError } from "../errors.ts";

/** A parsed DN: attribute type (as written, case-sensitive) → value. */
export type DistinguishedName = ReadonlyMap<string, string>;

const MANDATORY_ATTRIBUTES = ["C", "ST", "O"] as const;
const ESCAPABLE = new Set([" ", '"', "#", "+", ",", ";", "<", "=", ">", "\\"]);

function stripSpaces(text: string): string {
  let out = text.replace(/^ +/, "").replace(/ +$/, "");
  if (out.length > 0 && text.endsWith(" ")) {
    let backslashes = 0;
    for (let i = out.length - 1; i >= 0 && out[i] === "\\"; i--) backslashes++;
    if (backslashes % 2 === 1) out += " ";
  }
  return out;
}

function decodeValue(raw: string): string {
  const s = stripSpaces(raw);
  const bytes: number[] = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== "\\") {
      if (c === '"' || c === ";" || c === "<" || c === ">") {
        throw new SyntaxError(`got unescaped character: '${c}'`);
      }
      if (c === "\0") throw new SyntaxError("got unescaped NULL character");
      bytes.push(...encoder.encode(c));
      continue;
    }
    const next = s[i + 1];
    if (next === undefined) throw new SyntaxError(`got corrupted escaped character: '${s}'`);
    if (ESCAPABLE.has(next)) {
      bytes.push(next.charCodeAt(0));
      i++;
      continue;
    }
    const hex = s.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
      throw new SyntaxError(`failed to decode escaped character: invalid byte: ${hex}`);
    }
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(new Uint8Array(bytes));
  } catch {
    throw new SyntaxError("escaped bytes are not valid UTF-8");
  }
}

interface RawAttribute {
  type: string;
  value: string;
}

/** Splits RFC 4514 text into RDNs of (type, value), as go-ldap's `ParseDN` does. */
function splitRdns(text: string): RawAttribute[][] {
  const rdns: RawAttribute[][] = [];
  if (text.trim() === "") return rdns;
  let rdn: RawAttribute[] = [];
  let type = "";
  let escaping = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (escaping) {
      escaping = false;
    } else if (c === "\\") {
      escaping = true;
    } else if (c === "=" && type === "") {
      type = decodeValue(text.slice(start, i));
      start = i + 1;
    } else if (c === "," || c === "+" || c === ";") {
      if (type === "") throw new SyntaxError("incomplete type, value pair");
      rdn.push({ type, value: decodeValue(text.slice(start, i)) });
      type = "";
      start = i + 1;
      if (c !== "+") {
        rdns.push(rdn);
        rdn = [];
      }
    }
  }
  if (type === "") throw new SyntaxError("DN ended with incomplete type, value pair");
  rdn.push({ type, value: decodeValue(text.slice(start)) });
  rdns.push(rdn);
  return rdns;
}

/**
 * Parses a DN from a trust policy identity (or a rendered certificate subject) with notation's
 * rules: RFC 4514 syntax (`,` or `;` between RDNs, backslash and `\XX` escapes, spaces around
 * values trimmed), attribute types kept as written (`c` is not `C`), no multi-valued RDNs, no
 * repeated types, no `=#` hex values, and `C`, `ST` and `O` present.
 *
 * @example
 * ```ts
 * import { parseDistinguishedName } from "./distinguished_name.ts";
 * const dn = parseDistinguishedName("C=US, ST=WA, O=wabbit-networks.io");
 * console.log(dn.get("O")); // "wabbit-networks.io"
 * ```
 * @param name The DN text.
 * @returns The attribute map.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY with notation's message when the DN is not acceptable.
 */
export function parseDistinguishedName(name: string): DistinguishedName {
  if (name.includes("=#")) {
    throw new TrustPolicyError(
      `unsupported distinguished name (DN) ${
        JSON.stringify(name)
      }: notation does not support x509.subject identities containing "=#"`,
    );
  }
  let rdns: RawAttribute[][];
  try {
    rdns = splitRdns(name);
  } catch (err) {
    throw new TrustPolicyError(
      `parsing distinguished name (DN) ${JSON.stringify(name)} failed with err: ${
        (err as Error).message
      }. A valid DN must contain 'C', 'ST', and 'O' RDN attributes at a minimum, and follow RFC 4514 standard`,
    );
  }
  const attributes = new Map<string, string>();
  for (const rdn of rdns) {
    if (rdn.length > 1) {
      throw new TrustPolicyError(
        `distinguished name (DN) ${
          JSON.stringify(name)
        } has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported`,
      );
    }
    for (const { type, value } of rdn) {
      if ((attributes.get(type) ?? "") !== "") {
        throw new TrustPolicyError(
          `distinguished name (DN) ${JSON.stringify(name)} has duplicate RDN attribute for ${
            JSON.stringify(type)
          }, DN can only have unique RDN attributes`,
        );
      }
      attributes.set(type, value);
    }
  }
  for (const field of MANDATORY_ATTRIBUTES) {
    if ((attributes.get(field) ?? "") === "") {
      throw new TrustPolicyError(
        `distinguished name (DN) ${JSON.stringify(name)} has no mandatory RDN attribute for ${
          JSON.stringify(field)
        }, it must contain 'C', 'ST', and 'O' RDN attributes at a minimum`,
      );
    }
  }
  return attributes;
}

/**
 * Whether every (type, value) pair of `subset` is present with an identical value in `superset`
 * (case-sensitive, no normalisation): notation's `IsSubsetDN`.
 *
 * @example
 * ```ts
 * import { isSubsetDistinguishedName, parseDistinguishedName } from "./distinguished_name.ts";
 * const policy = parseDistinguishedName("C=US, ST=WA, O=acme");
 * const leaf = parseDistinguishedName("C=US, ST=WA, O=acme, CN=builder");
 * console.log(isSubsetDistinguishedName(policy, leaf)); // true
 * ```
 * @param subset The policy DN.
 * @param superset The certificate DN.
 * @returns True when `subset` ⊆ `superset`.
 */
export function isSubsetDistinguishedName(
  subset: DistinguishedName,
  superset: DistinguishedName,
): boolean {
  for (const [type, value] of subset) {
    if ((superset.get(type) ?? "") !== value) return false;
  }
  return true;
}
