import { assert, assertEquals, assertThrowsCode } from "../_helpers/assert.ts";
import {
  isSubsetDistinguishedName,
  parseDistinguishedName,
} from "../../lib/trust/distinguished_name.ts";

Deno.test("parseDistinguishedName() reads RFC 4514 text with escapes and trimming", () => {
  const dn = parseDistinguishedName(
    " C=US ; ST=WA, L=Seattle, O=acme\\, inc., OU=Finance\\2C Dept, CN=Secure\\20Builder\\ ",
  );
  assertEquals([...dn.entries()], [
    ["C", "US"],
    ["ST", "WA"],
    ["L", "Seattle"],
    ["O", "acme, inc."],
    ["OU", "Finance, Dept"],
    ["CN", "Secure Builder "],
  ]);
});

Deno.test("parseDistinguishedName() decodes \\XX UTF-8 escapes", () => {
  const dn = parseDistinguishedName("C=US,ST=WA,O=Caf\\C3\\A9");
  assertEquals(dn.get("O"), "Café");
});

Deno.test("parseDistinguishedName() requires C, ST and O", () => {
  assertThrowsCode(
    () => parseDistinguishedName("C=US, ST=WA, CN=x"),
    "ERR_TRUST_POLICY",
    `distinguished name (DN) "C=US, ST=WA, CN=x" has no mandatory RDN attribute for "O", it must contain 'C', 'ST', and 'O' RDN attributes at a minimum`,
  );
  // attribute types are case-sensitive: "c" is not "C"; "S" is not "ST"
  assertThrowsCode(() => parseDistinguishedName("c=US, ST=WA, O=x"), "ERR_TRUST_POLICY", `"C"`);
  assertThrowsCode(() => parseDistinguishedName("C=US, S=WA, O=x"), "ERR_TRUST_POLICY", `"ST"`);
  assertThrowsCode(() => parseDistinguishedName(""), "ERR_TRUST_POLICY", "mandatory");
});

Deno.test("parseDistinguishedName() rejects multi-valued, duplicate, =# and malformed DNs", () => {
  assertThrowsCode(
    () => parseDistinguishedName("C=US+ST=WA, O=x"),
    "ERR_TRUST_POLICY",
    "has multi-valued RDN attributes, remove multi-valued RDN attributes as they are not supported",
  );
  assertThrowsCode(
    () => parseDistinguishedName("C=US, C=IN, ST=WA, O=x"),
    "ERR_TRUST_POLICY",
    `has duplicate RDN attribute for "C", DN can only have unique RDN attributes`,
  );
  assertThrowsCode(
    () => parseDistinguishedName("C=US,ST=WA,O=x,1.2.840.113549.1.9.1=#160161"),
    "ERR_TRUST_POLICY",
    `notation does not support x509.subject identities containing "=#"`,
  );
  assertThrowsCode(
    () => parseDistinguishedName(",,,"),
    "ERR_TRUST_POLICY",
    `parsing distinguished name (DN) ",,," failed with err: incomplete type, value pair. A valid DN must contain`,
  );
  assertThrowsCode(() => parseDistinguishedName("C=US,ST=WA,O"), "ERR_TRUST_POLICY", "incomplete");
  assertThrowsCode(
    () => parseDistinguishedName("C=US,ST=WA,O=a<b"),
    "ERR_TRUST_POLICY",
    "unescaped",
  );
  assertThrowsCode(() => parseDistinguishedName("C=US,ST=WA,O=a\\"), "ERR_TRUST_POLICY", "escaped");
  assertThrowsCode(
    () => parseDistinguishedName("C=US,ST=WA,O=a\\zz"),
    "ERR_TRUST_POLICY",
    "escaped",
  );
});

Deno.test("isSubsetDistinguishedName() compares attribute sets exactly", () => {
  const leaf = parseDistinguishedName("CN=b,O=acme,L=Seattle,ST=WA,C=US");
  assert(isSubsetDistinguishedName(parseDistinguishedName("C=US, ST=WA, O=acme"), leaf));
  assert(isSubsetDistinguishedName(parseDistinguishedName("O=acme,C=US,ST=WA,CN=b"), leaf));
  // an unescaped trailing space is insignificant
  assert(isSubsetDistinguishedName(parseDistinguishedName("C=US, ST=WA, O=acme "), leaf));
  // near misses
  assert(!isSubsetDistinguishedName(parseDistinguishedName("C=US, ST=WA, O=Acme"), leaf));
  assert(!isSubsetDistinguishedName(parseDistinguishedName("C=US, ST=WA, O=acme\\ "), leaf));
  assert(!isSubsetDistinguishedName(parseDistinguishedName("C=US, ST=WA, O=acm"), leaf));
  assert(!isSubsetDistinguishedName(parseDistinguishedName("C=US, ST=WA, O=acme, OU=x"), leaf));
  assert(!isSubsetDistinguishedName(parseDistinguishedName("C=US, ST=WA, O=acme, CN=B"), leaf));
});
