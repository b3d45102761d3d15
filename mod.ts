/**
 * ocisign: build, sign, copy and verify OCI images kept as image layouts on local disk, with
 * Notary Project signatures (JWS and COSE) that notation accepts.
 *
 * Everything here uses Web APIs only; file access and fast hashing come in through the small
 * `Fs` and `HasherFactory` interfaces (`ocisign/runtime` implements them with `node:fs` and
 * `node:crypto`, which Deno, Bun and Node provide).
 *
 * @example Sign and verify an image in a layout
 * ```ts ignore
 * import { FsTrustStore, LocalSigner, openLayout, parseTrustPolicyDocument, signArtifact, verifyArtifact } from "@ocisign/ocisign";
 * import { nodeFs, nodeHasherFactory } from "@ocisign/ocisign/runtime";
 *
 * const layout = await openLayout("./hello-world", nodeFs, { hasher: nodeHasherFactory });
 * const signer = await LocalSigner.create({ privateKey: keyPem, certificateChain: certPem });
 * await signArtifact(layout, "v1", { signer, format: "cose" });
 * const result = await verifyArtifact(layout, "v1", {
 *   scope: "local/hello-world",
 *   policyDocument: parseTrustPolicyDocument(policyJson),
 *   trustStore: new FsTrustStore(nodeFs, configDir),
 * });
 * console.log(`verified ${result.subject.digest}`);
 * ```
 *
 * @module
 */
export * from "./lib/errors.ts";
export * from "./lib/digest/mod.ts";
export * from "./lib/oci/mod.ts";
export * from "./lib/content/mod.ts";
export * from "./lib/x509/mod.ts";
export * from "./lib/signature/mod.ts";
export * from "./lib/layout/mod.ts";
export * from "./lib/registry/mod.ts";
export * from "./lib/trust/mod.ts";
export * from "./lib/copy/mod.ts";
export * from "./lib/sign/mod.ts";
export * from "./lib/verify/mod.ts";
export * from "./lib/dockerfile/mod.ts";
export * from "./lib/image_builder/mod.ts";
export * from "./lib/server/mod.ts";
