/**
 * Signing artifacts in any target: the envelope, the `{}` config and the signature manifest
 * (notation 1.x shape by default, 2.x `artifactType` shape on request).
 *
 * @example Sign an artifact held in memory
 * ```ts
 * import { signArtifact } from "@ocisign/ocisign/sign";
 * import { MemoryStore } from "@ocisign/ocisign/content";
 * import { digestBytes } from "@ocisign/ocisign/digest";
 * import { LocalSigner } from "@ocisign/ocisign/signature";
 * import { generateTestCertificate } from "@ocisign/ocisign/x509";
 *
 * // An artifact (empty config, no layers) in a store held in memory.
 * const store = new MemoryStore();
 * const empty = new TextEncoder().encode("{}");
 * const config = {
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: await digestBytes(empty),
 *   size: empty.length,
 * };
 * await store.push(config, empty);
 * const manifest = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   artifactType: "application/vnd.example",
 *   config,
 *   layers: [],
 * }));
 * const image = {
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: await digestBytes(manifest),
 *   size: manifest.length,
 * };
 * await store.push(image, manifest);
 * await store.tag(image, "v1");
 *
 * const { keyPem, certificatePem } = await generateTestCertificate("example.com");
 * const signer = await LocalSigner.create({ privateKey: keyPem, certificateChain: certificatePem });
 * const result = await signArtifact(store, "v1", { signer, format: "jws" });
 *
 * // The signature manifest refers to the image.
 * const referrers = [];
 * for await (const r of store.referrers(image)) referrers.push(r.digest);
 * if (referrers.length !== 1) throw new Error(`expected one referrer, got ${referrers.length}`);
 * if (referrers[0] !== result.signature.digest) throw new Error("another referrer");
 * ```
 *
 * @example
 * ```ts ignore
 * import { signArtifact } from "@ocisign/ocisign/sign";
 * await signArtifact(layout, "v1", { signer, format: "jws" });
 * ```
 *
 * @example With an RFC 3161 timestamp
 * ```ts ignore
 * import { signArtifact } from "@ocisign/ocisign/sign";
 * import { HttpTimestamper } from "@ocisign/ocisign/signature";
 * import { FsCrlCache, parseCertificate } from "@ocisign/ocisign/x509";
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
export * from "./premade_envelope.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type {
  Fetcher,
  Op,
  Pusher,
  ReadOnlyStorage,
  ReadOnlyTarget,
  Resolver,
  Tagger,
  Target,
} from "../content/storage.ts";
export type { Descriptor, Platform } from "../oci/descriptor.ts";
export type { EnvelopeFormat, ExtendedAttribute } from "../signature/envelope.ts";
export type { TimestampingOptions } from "../signature/request_timestamp.ts";
export type { Signer } from "../signature/signer.ts";
export type { Timestamper } from "../signature/timestamper.ts";
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
