/**
 * Signing artifacts in any target: the envelope, the `{}` config and the signature manifest
 * (notation 1.x shape by default, 2.x `artifactType` shape on request).
 *
 * @example
 * ```ts ignore
 * import { signArtifact } from "./mod.ts";
 * await signArtifact(layout, "v1", { signer, format: "jws" });
 * ```
 *
 * @example With an RFC 3161 timestamp
 * ```ts ignore
 * import { FsCrlCache, HttpTimestamper, parseCertificate, signArtifact } from "../../mod.ts";
 * await signArtifact(layout, "v1", {
 *   signer,
 *   timestamp: {
 *     timestamper: new HttpTimestamper("http://timestamp.example/", { fetch }),
 *     rootCertificate: parseCertificate(tsaRootPem),
 *     // OCSP/CRL check of the TSA chain, with CRLs cached until their nextUpdate
 *     revocationClient: { fetch, crlCache: new FsCrlCache(fs, `${home}/.cache/ocisign/crl`) },
 *   },
 * });
 * ```
 *
 * @module
 */
export * from "./signature_manifest.ts";
export * from "./sign_artifact.ts";
export * from "./sign_recursive.ts";
