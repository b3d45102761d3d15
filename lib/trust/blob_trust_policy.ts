/**
 * The blob trust policy document (`trustpolicy.blob.json`, notation 2): statements without
 * registry scopes, selected by name or through the one statement marked `globalPolicy`.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#blob-trust-policy
 * @module
 */
import type { Fs } from "../content/fs.ts";
import { TrustPolicyError } from "../errors.ts";
import { loadPolicyFile } from "./load_trust_policy.ts";
import {
  decodePolicyJson,
  decodePolicyStatement,
  policyField,
  policyStatementList,
  policyString,
  statementLevel,
  TRUST_POLICY_LINK,
  validatePolicyStatements,
} from "./trust_policy.ts";
import type { PolicyStatement } from "./trust_policy.ts";

/** The blob trust policy's file name in the configuration directory. */
export const BLOB_TRUST_POLICY_FILE = "trustpolicy.blob.json";

/** One statement of the blob trust policy. */
export interface BlobTrustPolicyStatement extends PolicyStatement {
  /** Whether this statement applies when no policy name is given (at most one may). */
  globalPolicy?: boolean;
}

/** A blob trust policy document. */
export interface BlobTrustPolicyDocument {
  /** Always `"1.0"`. */
  version: string;
  /** The statements. */
  trustPolicies: BlobTrustPolicyStatement[];
}

function decodeBlobStatement(value: unknown, index: number): BlobTrustPolicyStatement {
  const statement: BlobTrustPolicyStatement = decodePolicyStatement(value, index);
  const global = policyField((value ?? {}) as Record<string, unknown>, "globalPolicy");
  if (global !== undefined && global !== null && typeof global !== "boolean") {
    throw new TrustPolicyError(
      `malformed trust policy. To create a trust policy, see: ${TRUST_POLICY_LINK}`,
      { details: { reason: `trustPolicies[${index}].globalPolicy is not a boolean` } },
    );
  }
  if (global === true) statement.globalPolicy = true;
  return statement;
}

/**
 * Parses and validates a blob trust policy document. JSON is read as notation reads it (field
 * names case-insensitive, unknown fields such as `registryScopes` ignored, `null` as absent).
 *
 * @example
 * ```ts
 * import { parseBlobTrustPolicyDocument } from "./blob_trust_policy.ts";
 * const doc = parseBlobTrustPolicyDocument(JSON.stringify({
 *   version: "1.0",
 *   trustPolicies: [{
 *     name: "releases", globalPolicy: true, signatureVerification: { level: "strict" },
 *     trustStores: ["ca:wabbit-networks.io"], trustedIdentities: ["*"],
 *   }],
 * }));
 * console.log(doc.trustPolicies[0]!.globalPolicy); // true
 * ```
 * @param source The file's bytes or text.
 * @returns The validated document.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when malformed or invalid (notation 2's messages).
 */
export function parseBlobTrustPolicyDocument(source: Uint8Array | string): BlobTrustPolicyDocument {
  const json = decodePolicyJson(source);
  const doc: BlobTrustPolicyDocument = {
    version: policyString(json.field("version"), "version"),
    trustPolicies: policyStatementList(json).map(decodeBlobStatement),
  };
  validateBlobTrustPolicyDocument(doc);
  return doc;
}

/**
 * Validates a blob trust policy document: the rules every trust policy follows (version, names,
 * levels, trust stores, trusted identities), then at most one `globalPolicy` statement, whose
 * level is not `skip` (the specification's rule; notation 2.0.0-alpha.1 does not enforce it).
 *
 * @example
 * ```ts
 * import { validateBlobTrustPolicyDocument } from "./blob_trust_policy.ts";
 * const statement = {
 *   name: "a", globalPolicy: true, signatureVerification: { level: "skip" },
 *   trustStores: [], trustedIdentities: [],
 * };
 * try {
 *   validateBlobTrustPolicyDocument({ version: "1.0", trustPolicies: [statement] });
 * } catch (err) {
 *   console.log((err as Error).message);
 * }
 * ```
 * @param doc The document.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY describing the first violation.
 */
export function validateBlobTrustPolicyDocument(doc: BlobTrustPolicyDocument): void {
  validatePolicyStatements(doc, "blob");
  const globals = doc.trustPolicies.filter((s) => s.globalPolicy === true);
  if (globals.length > 1) {
    throw new TrustPolicyError(
      "multiple blob trust policy statements have globalPolicy set to true. Only one trust policy statement can be marked as global policy",
    );
  }
  const global = globals[0];
  // trust-store-trust-policy spec, blob trust policy: the global policy cannot be `skip`
  if (global !== undefined && statementLevel(global).name === "skip") {
    throw new TrustPolicyError(
      `blob trust policy: global trust policy statement ${
        JSON.stringify(global.name)
      } cannot use "skip" signature verification level`,
    );
  }
}

/**
 * Selects the blob trust policy statement: the one named `policyName` (exact match), else the
 * global policy when no name is given.
 *
 * @example
 * ```ts
 * import { parseBlobTrustPolicyDocument, selectBlobTrustPolicy } from "./blob_trust_policy.ts";
 * const doc = parseBlobTrustPolicyDocument(JSON.stringify({
 *   version: "1.0",
 *   trustPolicies: [{
 *     name: "releases", signatureVerification: { level: "strict" },
 *     trustStores: ["ca:wabbit"], trustedIdentities: ["*"],
 *   }],
 * }));
 * console.log(selectBlobTrustPolicy(doc, "releases").name); // releases
 * ```
 * @param doc A validated document.
 * @param policyName `--policy-name`, or undefined for the global policy.
 * @returns A copy of the statement.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when no statement has that name, or no name is
 * given and there is no global policy (notation's messages).
 */
export function selectBlobTrustPolicy(
  doc: BlobTrustPolicyDocument,
  policyName?: string,
): BlobTrustPolicyStatement {
  if (policyName !== undefined && policyName !== "") {
    const named = doc.trustPolicies.find((s) => s.name === policyName);
    if (named === undefined) {
      throw new TrustPolicyError(
        `no applicable blob trust policy with name ${JSON.stringify(policyName)}`,
      );
    }
    return structuredClone(named);
  }
  const global = doc.trustPolicies.find((s) => s.globalPolicy === true);
  if (global === undefined) {
    throw new TrustPolicyError(
      'no global blob trust policy: name the statement to use with --policy-name, or mark one statement "globalPolicy": true',
    );
  }
  return structuredClone(global);
}

/**
 * Reads and validates `trustpolicy.blob.json` of a configuration directory (a regular file;
 * symlinks are refused, as in notation).
 *
 * @example
 * ```ts ignore
 * import { loadBlobTrustPolicyDocument } from "./blob_trust_policy.ts";
 * const doc = await loadBlobTrustPolicyDocument(fs, configDir);
 * ```
 * @param fs File access.
 * @param configDir The configuration directory.
 * @returns The validated document.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when absent, not a regular file, malformed or invalid.
 */
export async function loadBlobTrustPolicyDocument(
  fs: Fs,
  configDir: string,
): Promise<BlobTrustPolicyDocument> {
  return (await loadPolicyFile(
    fs,
    configDir,
    [BLOB_TRUST_POLICY_FILE],
    parseBlobTrustPolicyDocument,
  )).document;
}
