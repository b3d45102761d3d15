/**
 * Detached signatures for any file, compatible with notation 2's `notation blob`: sign a blob
 * read from a web stream into a JWS or COSE envelope, verify one against the blob trust policy,
 * and name signature files as notation does (`<file>.<jws|cose>.sig`). Web APIs only, so a
 * browser or Deno script can verify a download without the CLI.
 *
 * @example Verify a download
 * ```ts ignore
 * import {
 *   parseBlobTrustPolicyDocument, selectBlobTrustPolicy, signatureFormatOfFile, verifyBlob,
 * } from "../../mod.ts";
 * const sigUrl = "https://example.com/app.tar.gz.cose.sig";
 * const signature = new Uint8Array(await (await fetch(sigUrl)).arrayBuffer());
 * const policy = selectBlobTrustPolicy(parseBlobTrustPolicyDocument(policyJson), "releases");
 * const { targetArtifact } = await verifyBlob(
 *   (await fetch("https://example.com/app.tar.gz")).body!,
 *   signature,
 *   { format: signatureFormatOfFile(sigUrl), policy, trustStore },
 * );
 * console.log(`verified ${targetArtifact?.digest}`);
 * ```
 *
 * @module
 */
export * from "./blob_media_type.ts";
export * from "./blob_signature_file.ts";
export * from "./digest_blob.ts";
export * from "./sign_blob.ts";
export * from "./verify_blob.ts";
export type {
  OpenedVerificationPlugin,
  VerificationPluginHost,
  VerifySignatureInput,
  VerifySignatureOutput,
} from "../verify/verification_plugin.ts";
