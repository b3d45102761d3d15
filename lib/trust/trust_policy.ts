/**
 * The OCI trust policy document (`trustpolicy.oci.json`, or `trustpolicy.json` of notation 1.x;
 * one schema): parsing with Go JSON semantics and validation with notation's rules and messages.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-policy
 * @module
 */
import { TrustPolicyError } from "../errors.ts";
import { isSubsetDistinguishedName, parseDistinguishedName } from "./distinguished_name.ts";
import type { DistinguishedName } from "./distinguished_name.ts";
import { validateRegistryScope, WILDCARD } from "./registry_scope.ts";
import { isTrustStoreType, NAMED_STORE_REGEXP } from "./trust_store_type.ts";
import { resolveVerificationLevel } from "./verification_level.ts";
import type { SignatureVerification, VerificationLevel } from "./verification_level.ts";

/** The only trust policy document version. */
export const TRUST_POLICY_VERSION = "1.0";

/** Where notation's docs explain how to write a trust policy. */
export const TRUST_POLICY_LINK = "https://notaryproject.dev/docs/quickstart/#create-a-trust-policy";

/** Prefix of trusted identities notation matches natively. */
export const X509_SUBJECT_PREFIX = "x509.subject";

/** What every trust policy statement has, in the OCI and in the blob trust policy. */
export interface PolicyStatement {
  /** Unique name. */
  name: string;
  /** Level, overrides, timestamp mode. */
  signatureVerification: SignatureVerification;
  /** `<type>:<name>` named stores (empty for `skip`). */
  trustStores: string[];
  /** `*` or `x509.subject: <DN>` (other prefixes are kept for plugins) (empty for `skip`). */
  trustedIdentities: string[];
}

/** One statement of the OCI trust policy. */
export interface TrustPolicyStatement extends PolicyStatement {
  /** `<domain>/<repository>` values, or exactly `["*"]`. */
  registryScopes: string[];
}

/** A trust policy document. */
export interface TrustPolicyDocument {
  /** Always `"1.0"`. */
  version: string;
  /** The statements. */
  trustPolicies: TrustPolicyStatement[];
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function malformed(reason: string): TrustPolicyError {
  return new TrustPolicyError(
    `malformed trust policy. To create a trust policy, see: ${TRUST_POLICY_LINK}`,
    { details: { reason } },
  );
}

/**
 * Go `encoding/json` field lookup in a policy file's object: exact or case-insensitive key; the
 * last one wins.
 *
 * @example
 * ```ts
 * import { policyField } from "./trust_policy.ts";
 * console.log(policyField({ GlobalPolicy: true }, "globalPolicy")); // true
 * ```
 * @param obj The JSON object.
 * @param name The field name.
 * @returns Its value, or undefined.
 */
export function policyField(obj: Record<string, unknown>, name: string): unknown {
  let found: unknown = undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(obj)) {
    if (key.toLowerCase() === lower) found = value;
  }
  return found;
}

function asObject(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw malformed(`${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

function asString(value: unknown, what: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw malformed(`${what} is not a string`);
  return value;
}

function asStrings(value: unknown, what: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw malformed(`${what} is not an array`);
  return value.map((v, i) => asString(v, `${what}[${i}]`));
}

/**
 * Decodes the fields every statement has (name, signatureVerification, trustStores,
 * trustedIdentities) from one element of `trustPolicies`, with Go JSON semantics.
 *
 * @example
 * ```ts
 * import { decodePolicyStatement } from "./trust_policy.ts";
 * const s = decodePolicyStatement({ Name: "p", signatureVerification: { level: "audit" } }, 0);
 * console.log(s.name, s.trustStores.length); // p 0
 * ```
 * @param value The element.
 * @param index Its position (for messages).
 * @returns The statement's common fields (not validated).
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when a field has the wrong JSON type.
 */
export function decodePolicyStatement(value: unknown, index: number): PolicyStatement {
  const what = `trustPolicies[${index}]`;
  const obj = asObject(value, what) ?? {};
  const sv = asObject(policyField(obj, "signatureVerification"), `${what}.signatureVerification`) ??
    {};
  const overrideObj = asObject(
    policyField(sv, "override"),
    `${what}.signatureVerification.override`,
  );
  const signatureVerification: SignatureVerification = {
    level: asString(policyField(sv, "level"), `${what}.signatureVerification.level`),
  };
  if (overrideObj !== undefined) {
    const override: Record<string, string> = {};
    for (const [k, v] of Object.entries(overrideObj)) {
      override[k] = asString(v, `${what}.signatureVerification.override.${k}`);
    }
    signatureVerification.override = override;
  }
  const verifyTimestamp = asString(
    policyField(sv, "verifyTimestamp"),
    `${what}.signatureVerification.verifyTimestamp`,
  );
  if (verifyTimestamp !== "") signatureVerification.verifyTimestamp = verifyTimestamp;
  return {
    name: asString(policyField(obj, "name"), `${what}.name`),
    signatureVerification,
    trustStores: asStrings(policyField(obj, "trustStores"), `${what}.trustStores`),
    trustedIdentities: asStrings(
      policyField(obj, "trustedIdentities"),
      `${what}.trustedIdentities`,
    ),
  };
}

function decodeStatement(value: unknown, index: number): TrustPolicyStatement {
  const obj = asObject(value, `trustPolicies[${index}]`) ?? {};
  return {
    ...decodePolicyStatement(value, index),
    registryScopes: asStrings(
      policyField(obj, "registryScopes"),
      `trustPolicies[${index}].registryScopes`,
    ),
  };
}

/**
 * Reads a policy file's JSON as notation does: no UTF-8 byte order mark, valid UTF-8, one JSON
 * object; then hands out its fields with Go's case-insensitive lookup.
 *
 * @example
 * ```ts
 * import { decodePolicyJson } from "./trust_policy.ts";
 * const { field } = decodePolicyJson('{"Version":"1.0"}');
 * console.log(field("version")); // 1.0
 * ```
 * @param source The file's bytes or text.
 * @returns A field lookup (exact or case-insensitive name; the last one wins).
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when it is malformed.
 */
export function decodePolicyJson(
  source: Uint8Array | string,
): { field: (name: string) => unknown } {
  let text: string;
  if (typeof source === "string") {
    text = source;
  } else {
    if (UTF8_BOM.every((b, i) => source[i] === b)) throw malformed("the file starts with a BOM");
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(source);
    } catch {
      throw malformed("the file is not valid UTF-8");
    }
  }
  if (text.startsWith("\uFEFF")) throw malformed("the file starts with a BOM");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw malformed((err as Error).message);
  }
  const obj = asObject(json, "the document") ?? {};
  return { field: (name) => policyField(obj, name) };
}

/**
 * The `trustPolicies` array of a decoded policy file, or an empty one when absent.
 *
 * @example
 * ```ts
 * import { decodePolicyJson, policyStatementList } from "./trust_policy.ts";
 * console.log(policyStatementList(decodePolicyJson("{}")).length); // 0
 * ```
 * @param json The decoded file.
 * @returns Its statements, undecoded.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when `trustPolicies` is not an array.
 */
export function policyStatementList(json: { field: (name: string) => unknown }): unknown[] {
  const policies = json.field("trustPolicies");
  if (policies !== undefined && policies !== null && !Array.isArray(policies)) {
    throw malformed("trustPolicies is not an array");
  }
  return (policies ?? []) as unknown[];
}

/**
 * Reads a string field of a policy file with Go semantics (`null` or absent is empty).
 *
 * @example
 * ```ts
 * import { policyString } from "./trust_policy.ts";
 * console.log(policyString(undefined, "version") === ""); // true
 * ```
 * @param value The field's value.
 * @param what Its name, for messages.
 * @returns The string.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when it is not a string.
 */
export function policyString(value: unknown, what: string): string {
  return asString(value, what);
}

/**
 * Parses and validates a trust policy document. JSON is read as notation reads it (field names
 * case-insensitive, unknown fields ignored, `null` as absent); a UTF-8 byte order mark, comments
 * or a wrong type make it malformed.
 *
 * @example
 * ```ts
 * import { parseTrustPolicyDocument } from "./trust_policy.ts";
 * const doc = parseTrustPolicyDocument(JSON.stringify({
 *   version: "1.0",
 *   trustPolicies: [{
 *     name: "images", registryScopes: ["*"], signatureVerification: { level: "strict" },
 *     trustStores: ["ca:wabbit-networks.io"], trustedIdentities: ["*"],
 *   }],
 * }));
 * console.log(doc.trustPolicies[0]!.name); // "images"
 * ```
 * @param source The file's bytes or text.
 * @returns The validated document.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when malformed or invalid (notation's messages).
 */
export function parseTrustPolicyDocument(source: Uint8Array | string): TrustPolicyDocument {
  const json = decodePolicyJson(source);
  const doc: TrustPolicyDocument = {
    version: asString(json.field("version"), "version"),
    trustPolicies: policyStatementList(json).map(decodeStatement),
  };
  validateTrustPolicyDocument(doc);
  return doc;
}

function validateTrustStores(statement: PolicyStatement): void {
  const name = JSON.stringify(statement.name);
  for (const value of statement.trustStores) {
    const colon = value.indexOf(":");
    if (colon < 0) {
      throw new TrustPolicyError(
        `trust policy statement ${name} has malformed trust store value ${
          JSON.stringify(value)
        }. The required format is <TrustStoreType>:<TrustStoreName>`,
      );
    }
    const type = value.slice(0, colon);
    const store = value.slice(colon + 1);
    if (!isTrustStoreType(type)) {
      throw new TrustPolicyError(
        `trust policy statement ${name} uses an unsupported trust store type ${
          JSON.stringify(type)
        } in trust store value ${JSON.stringify(value)}`,
      );
    }
    if (!NAMED_STORE_REGEXP.test(store)) {
      throw new TrustPolicyError(
        `trust policy statement ${name} uses an unsupported trust store name ${
          JSON.stringify(store)
        } in trust store value ${
          JSON.stringify(value)
        }. Named store name needs to follow [a-zA-Z0-9_.-]+ format`,
      );
    }
  }
}

/** An `x509.subject` trusted identity and its parsed DN. */
export interface ParsedIdentity {
  /** The identity as written. */
  raw: string;
  /** Its distinguished name. */
  dn: DistinguishedName;
}

/**
 * Parses a statement's `x509.subject:` trusted identities (skipping `*` and other prefixes).
 *
 * @example
 * ```ts
 * import { parseX509Identities } from "./trust_policy.ts";
 * const ids = parseX509Identities({
 *   name: "p", signatureVerification: { level: "strict" },
 *   trustStores: ["ca:x"], trustedIdentities: ["x509.subject: C=US, ST=WA, O=Notary"],
 * });
 * console.log(ids[0]?.dn.get("O")); // Notary
 * ```
 * @param statement The trust policy statement.
 * @returns The parsed identities.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY for an empty, malformed or unparseable identity.
 */
export function parseX509Identities(statement: PolicyStatement): ParsedIdentity[] {
  const name = JSON.stringify(statement.name);
  const parsed: ParsedIdentity[] = [];
  for (const identity of statement.trustedIdentities) {
    if (identity === "") {
      throw new TrustPolicyError(`trust policy statement ${name} has an empty trusted identity`);
    }
    if (identity === WILDCARD) continue;
    const colon = identity.indexOf(":");
    if (colon < 0) {
      throw new TrustPolicyError(
        `trust policy statement ${name} has trusted identity ${
          JSON.stringify(identity)
        } missing separator`,
      );
    }
    if (identity.slice(0, colon) !== X509_SUBJECT_PREFIX) continue;
    const value = identity.slice(colon + 1);
    if (value === "") {
      throw new TrustPolicyError(
        `trust policy statement ${name} has trusted identity ${
          JSON.stringify(identity)
        } without an identity value`,
      );
    }
    try {
      parsed.push({ raw: identity, dn: parseDistinguishedName(value) });
    } catch (err) {
      throw new TrustPolicyError(
        `trust policy statement ${name} has trusted identity ${
          JSON.stringify(identity)
        } with invalid identity value: ${(err as Error).message}`,
        { cause: err },
      );
    }
  }
  return parsed;
}

function validateTrustedIdentities(statement: PolicyStatement): void {
  const name = JSON.stringify(statement.name);
  const identities = statement.trustedIdentities;
  if (identities.length > 1 && identities.includes(WILDCARD)) {
    throw new TrustPolicyError(
      `trust policy statement ${name} uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values`,
    );
  }
  const parsed = parseX509Identities(statement);
  for (const [i, a] of parsed.entries()) {
    for (const [j, b] of parsed.entries()) {
      if (i !== j && isSubsetDistinguishedName(a.dn, b.dn)) {
        throw new TrustPolicyError(
          `trust policy statement ${name} has overlapping x509 trustedIdentities, ${
            JSON.stringify(a.raw)
          } overlaps with ${JSON.stringify(b.raw)}`,
        );
      }
    }
  }
}

function validateRegistryScopes(doc: TrustPolicyDocument): void {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const statement of doc.trustPolicies) {
    const name = JSON.stringify(statement.name);
    if (statement.registryScopes.length === 0) {
      throw new TrustPolicyError(
        `trust policy statement ${name} has zero registry scopes, it must specify registry scopes with at least one value`,
      );
    }
    if (statement.registryScopes.length > 1 && statement.registryScopes.includes(WILDCARD)) {
      throw new TrustPolicyError(
        `trust policy statement ${name} uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values`,
      );
    }
    for (const scope of statement.registryScopes) {
      if (scope !== WILDCARD) validateRegistryScope(scope);
      if (seen.has(scope)) repeated.add(scope);
      seen.add(scope);
    }
  }
  for (const scope of repeated) {
    throw new TrustPolicyError(
      `registry scope ${
        JSON.stringify(scope)
      } is present in multiple trust policy statements, one registry scope value can only be associated with one statement`,
    );
  }
}

/**
 * Validates a trust policy document with notation's rules, in notation's order, throwing the
 * first violation with notation's message.
 *
 * @example
 * ```ts
 * import { validateTrustPolicyDocument } from "./trust_policy.ts";
 * try {
 *   validateTrustPolicyDocument({ version: "2.0", trustPolicies: [] });
 * } catch (err) {
 *   console.log((err as Error).message); // trust policy document uses unsupported version "2.0"
 * }
 * ```
 * @param doc The document.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY describing the first violation.
 */
export function validateTrustPolicyDocument(doc: TrustPolicyDocument): void {
  validatePolicyStatements(doc, "");
  validateRegistryScopes(doc);
}

function validateStatement(statement: PolicyStatement): void {
  const level = statementLevel(statement);
  const hasStoresOrIdentities = statement.trustStores.length > 0 ||
    statement.trustedIdentities.length > 0;
  if (level.name === "skip") {
    if (hasStoresOrIdentities) {
      throw new TrustPolicyError(
        `trust policy statement ${
          JSON.stringify(statement.name)
        } is set to skip signature verification but configured with trust stores and/or trusted identities, remove them if signature verification needs to be skipped`,
      );
    }
    return;
  }
  if (statement.trustStores.length === 0 || statement.trustedIdentities.length === 0) {
    throw new TrustPolicyError(
      `trust policy statement ${
        JSON.stringify(statement.name)
      } is either missing trust stores or trusted identities, both must be specified`,
    );
  }
  validateTrustStores(statement);
  validateTrustedIdentities(statement);
}

/**
 * Validates what the OCI and the blob trust policy documents share: the version, at least one
 * statement, unique non-empty names, and each statement's level, trust stores and trusted
 * identities. `kind` is `"blob"` for the blob trust policy, whose messages notation 2 words
 * as "blob trust policy …".
 *
 * @example
 * ```ts
 * import { validatePolicyStatements } from "./trust_policy.ts";
 * try {
 *   validatePolicyStatements({ version: "1.0", trustPolicies: [] }, "blob");
 * } catch (err) {
 *   console.log((err as Error).message); // blob trust policy document can not have zero trust policy statements
 * }
 * ```
 * @param doc The version and the statements.
 * @param kind `""` for the OCI trust policy, `"blob"` for the blob trust policy.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY describing the first violation.
 */
export function validatePolicyStatements(
  doc: { version: string; trustPolicies: readonly PolicyStatement[] },
  kind: "" | "blob",
): void {
  const label = kind === "blob" ? "blob trust policy" : "trust policy";
  // notation 2 prefixes the statement messages of the blob policy with "blob trust policy: "
  const prefix = kind === "blob" ? "blob trust policy: " : "";
  if (doc.version === "") {
    throw new TrustPolicyError(
      `${label} document has empty version, version must be specified`,
    );
  }
  if (doc.version !== TRUST_POLICY_VERSION) {
    throw new TrustPolicyError(
      `${label} document uses unsupported version ${JSON.stringify(doc.version)}`,
    );
  }
  if (doc.trustPolicies.length === 0) {
    throw new TrustPolicyError(`${label} document can not have zero trust policy statements`);
  }
  const names = new Set<string>();
  for (const statement of doc.trustPolicies) {
    if (statement.name === "") {
      throw new TrustPolicyError(
        `${prefix}a trust policy statement is missing a name, every statement requires a name`,
      );
    }
    if (names.has(statement.name)) {
      throw new TrustPolicyError(
        `multiple ${label} statements use the same name ${
          JSON.stringify(statement.name)
        }, statement names must be unique`,
      );
    }
    names.add(statement.name);
    try {
      validateStatement(statement);
    } catch (err) {
      if (prefix === "" || !(err instanceof TrustPolicyError)) throw err;
      throw new TrustPolicyError(`${prefix}${err.message}`, { cause: err });
    }
  }
}

/**
 * The verification level of a statement (its preset level with overrides applied).
 *
 * @example
 * ```ts
 * import { statementLevel } from "./trust_policy.ts";
 * const level = statementLevel({
 *   name: "p", signatureVerification: { level: "audit" },
 *   trustStores: ["ca:s"], trustedIdentities: ["*"],
 * });
 * console.log(level.enforcement.authenticity); // "log"
 * ```
 * @param statement The statement.
 * @returns The resolved level.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when `signatureVerification` is invalid.
 */
export function statementLevel(statement: PolicyStatement): VerificationLevel {
  try {
    return resolveVerificationLevel(statement.signatureVerification);
  } catch (err) {
    throw new TrustPolicyError(
      `trust policy statement ${
        JSON.stringify(statement.name)
      } has invalid signatureVerification: ${(err as Error).message}`,
      { cause: err },
    );
  }
}
