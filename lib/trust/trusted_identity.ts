/**
 * Trusted identity matching: does the signing (leaf) certificate's subject match one of the
 * statement's `x509.subject` identities? Exact attribute-set comparison, as notation does.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trusted-identities-constraints
 * @module
 */
import { TrustedIdentityError } from "../errors.ts";
import { isSubsetDistinguishedName, parseDistinguishedName } from "./distinguished_name.ts";
import type { DistinguishedName } from "./distinguished_name.ts";
import { WILDCARD } from "./registry_scope.ts";
import { parseX509Identities } from "./trust_policy.ts";
import type { PolicyStatement } from "./trust_policy.ts";

function goMapList(dns: readonly DistinguishedName[]): string {
  const maps = dns.map((dn) => {
    const pairs = [...dn.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    return `map[${pairs.join(" ")}]`;
  });
  return `[${maps.join(" ")}]`;
}

/**
 * Checks the leaf certificate's subject against the statement's trusted identities. `*` trusts
 * any subject. Otherwise the subject (rendered as Go's `pkix.Name.String()` renders it) must
 * itself parse as a DN with `C`, `ST` and `O`, single-valued attributes and no `OID=#hex`
 * attributes, and contain every attribute of at least one `x509.subject` identity with an
 * identical (case-sensitive) value. Identities with other prefixes are left to plugins.
 *
 * @example
 * ```ts
 * import { verifyTrustedIdentity } from "./trusted_identity.ts";
 * verifyTrustedIdentity(
 *   {
 *     name: "p", signatureVerification: { level: "strict" },
 *     trustStores: ["ca:s"], trustedIdentities: ["x509.subject: C=US, ST=WA, O=Notary"],
 *   },
 *   "CN=wabbit-networks.io,O=Notary,L=Seattle,ST=WA,C=US",
 * ); // passes
 * ```
 * @param statement The applicable trust policy statement.
 * @param leafSubject The leaf certificate's subject as Go renders it (`CN=…,O=…,ST=…,C=…`).
 * @throws {TrustedIdentityError} ERR_SIGNATURE_TRUSTED_IDENTITY when it does not match (notation's messages).
 */
export function verifyTrustedIdentity(statement: PolicyStatement, leafSubject: string): void {
  if (statement.trustedIdentities.includes(WILDCARD)) return;
  const name = JSON.stringify(statement.name);
  let trusted: DistinguishedName[];
  try {
    trusted = parseX509Identities(statement).map((i) => i.dn);
  } catch (err) {
    throw new TrustedIdentityError((err as Error).message, { cause: err });
  }
  if (trusted.length === 0) {
    throw new TrustedIdentityError(
      `no x509 trusted identities are configured in the trust policy ${name}`,
    );
  }
  let leaf: DistinguishedName;
  try {
    leaf = parseDistinguishedName(leafSubject);
  } catch (err) {
    throw new TrustedIdentityError(
      `error while parsing the certificate subject from the digital signature. error : ${
        JSON.stringify((err as Error).message)
      }`,
      { cause: err },
    );
  }
  if (trusted.some((dn) => isSubsetDistinguishedName(dn, leaf))) return;
  throw new TrustedIdentityError(
    `signing certificate from the digital signature does not match the X.509 trusted identities ${
      goMapList(trusted)
    } defined in the trust policy ${name}`,
    { details: { subject: leafSubject } },
  );
}
