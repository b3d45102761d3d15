/**
 * Trust policy documents, verification levels, trusted identities and trust stores of the Notary
 * Project, validated exactly as notation validates them.
 *
 * @example Select the statement for an artifact
 * ```ts
 * import { parseTrustPolicyDocument, selectTrustPolicy, statementLevel } from "@ocisign/ocisign/trust";
 * const doc = parseTrustPolicyDocument(JSON.stringify({
 *   version: "1.0",
 *   trustPolicies: [{
 *     name: "default", registryScopes: ["*"], signatureVerification: { level: "strict" },
 *     trustStores: ["ca:wabbit-networks.io"], trustedIdentities: ["*"],
 *   }],
 * }));
 * const statement = selectTrustPolicy(doc, "localhost:5000/hello@sha256:" + "0".repeat(64));
 * console.log(statementLevel(statement).name); // "strict"
 * ```
 *
 * @module
 */
export * from "./verification_level.ts";
export * from "./distinguished_name.ts";
export * from "./registry_scope.ts";
export * from "./trust_store_type.ts";
export * from "./trust_policy.ts";
export * from "./select_trust_policy.ts";
export * from "./trusted_identity.ts";
export * from "./trust_store.ts";
export * from "./load_trust_policy.ts";
export * from "./blob_trust_policy.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type { DirEntry, FileHandle, FileInfo, Fs, WriteOptions } from "../content/fs.ts";
export type { Op } from "../content/storage.ts";
export type {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageBit,
} from "../x509/certificate.ts";
export type { NameAttribute } from "../x509/distinguished_name.ts";
export type { JwsAlgorithm, KeySpec, KeySpecName } from "../x509/key_spec.ts";
