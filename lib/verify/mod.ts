/**
 * Verification of Notary Project signatures against a trust policy, offline (one envelope) or
 * for an artifact in any target (layout, registry, memory); listing and inspecting signatures.
 * Verification fails closed: a signature passes only when every enforced check passed.
 *
 * @example Verify an artifact in a layout
 * ```ts ignore
 * import { verifyArtifact } from "./mod.ts";
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
