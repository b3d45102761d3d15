/**
 * Verification of Notary Project signatures against a trust policy, offline (one envelope) or
 * for an artifact in any target (layout, registry, memory); listing and inspecting signatures.
 * Verification fails closed: a signature passes only when every enforced check passed.
 *
 * @example Verify one envelope offline against a policy statement
 * ```ts
 * import { verifyEnvelope } from "@ocisign/ocisign/verify";
 * import { createPayload, LocalSigner, signEnvelope } from "@ocisign/ocisign/signature";
 * import { MemoryTrustStore, parseTrustPolicyDocument } from "@ocisign/ocisign/trust";
 * import { generateTestCertificate } from "@ocisign/ocisign/x509";
 *
 * // A signature made with a test key, and a policy trusting that key's certificate.
 * const { keyPem, certificatePem } = await generateTestCertificate("example.com");
 * const signer = await LocalSigner.create({ privateKey: keyPem, certificateChain: certificatePem });
 * const subject = {
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * };
 * const envelope = await signEnvelope({ format: "jws", payload: createPayload(subject), signer });
 * const [policy] = parseTrustPolicyDocument(JSON.stringify({
 *   version: "1.0",
 *   trustPolicies: [{
 *     name: "example",
 *     registryScopes: ["*"],
 *     signatureVerification: { level: "strict" },
 *     trustStores: ["ca:example"],
 *     trustedIdentities: ["*"],
 *   }],
 * })).trustPolicies;
 *
 * // Offline verification of one envelope: every check of the level, failing closed.
 * const outcome = await verifyEnvelope(envelope, {
 *   mediaType: "application/jose+json",
 *   subject,
 *   policy: policy!,
 *   trustStore: new MemoryTrustStore({ "ca:example": [certificatePem] }),
 * });
 * if (outcome.error) throw outcome.error;
 * ```
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
export * from "./verify_content.ts";
export * from "./list_signatures.ts";
export * from "./inspect_signatures.ts";
export type {
  OpenedVerificationPlugin,
  VerificationPluginHost,
  VerifySignatureInput,
  VerifySignatureOutput,
} from "./verification_plugin.ts";

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
