/**
 * Verification of Notary Project signatures against a trust policy, offline (one envelope) or
 * for an artifact in any target (layout, registry, memory); listing and inspecting signatures.
 * Verification fails closed: a signature passes only when every enforced check passed.
 *
 * @example Verify an artifact in a layout
 * ```ts ignore
 * import { verifyArtifact } from "@ocisign/ocisign/verify";
 * const result = await verifyArtifact(layout, "v1", {
 *   scope: "local/hello-world", policyDocument, trustStore,
 * });
 * for (const r of result.outcome?.results ?? []) {
 *   if (r.error && r.action === "log") console.warn(`${r.type} failed: ${r.error.message}`);
 * }
 * ```
 *
 * @module
 */
export * from "./verification_outcome.ts";
export * from "./verify_envelope.ts";
export * from "./signature_manifests.ts";
export * from "./verify_artifact.ts";
export * from "./list_signatures.ts";
export * from "./inspect_signatures.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type {
  Fetcher,
  Op,
  ReadOnlyGraphTarget,
  ReadOnlyStorage,
  ReadOnlyTarget,
  ReferrerLister,
  Resolver,
} from "../content/storage.ts";
export type { ErrorCode, OcisignError } from "../errors.ts";
export type { Descriptor, Manifest, Platform } from "../oci/descriptor.ts";
export type {
  EnvelopeContent,
  ExtendedAttribute,
  Payload,
  SignatureAlgorithm,
  SignedAttributes,
  SignerInfo,
  SigningScheme,
  UnsignedAttributes,
} from "../signature/envelope.ts";
export type { TrustPolicyDocument, TrustPolicyStatement } from "../trust/trust_policy.ts";
export type { TrustStore } from "../trust/trust_store.ts";
export type { TrustStoreType } from "../trust/trust_store_type.ts";
export type {
  SignatureVerification,
  ValidationAction,
  ValidationType,
  VerificationLevel,
  VerificationLevelName,
} from "../trust/verification_level.ts";
export type {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageBit,
} from "../x509/certificate.ts";
export type { NameAttribute } from "../x509/distinguished_name.ts";
export type { JwsAlgorithm, KeySpec, KeySpecName } from "../x509/key_spec.ts";
export type { CrlBundle, CrlCache } from "../x509/revocation/crl_cache.ts";
export type { RevocationClient, RevocationFetch } from "../x509/revocation/revocation_client.ts";
