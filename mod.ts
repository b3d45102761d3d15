/**
 * ocisign: build, sign, copy and verify OCI images kept as image layouts on local disk or in a
 * registry, with Notary Project signatures (JWS and COSE) that notation accepts.
 *
 * This root module holds the main verbs and the errors. Each area has its own entry point with
 * the rest of its API: `@ocisign/ocisign/sign`, `/verify`, `/layout`, `/registry`, `/copy`,
 * `/build`, `/trust`, `/x509`, `/signature`, `/digest`, `/content`, `/oci`, `/server`, and
 * `/runtime` (the `node:fs` / `node:crypto` adapters), `/cli` (the command line).
 *
 * Everything except `/runtime` and `/cli` uses Web APIs only; file access and fast hashing come
 * in through the small `Fs` and `HasherFactory` interfaces, which `/runtime` implements.
 * Importing the library changes no globals.
 *
 * @example Sign, list and verify an image held in memory
 * ```ts
 * import { listSignatures, signArtifact, verifyArtifact } from "@ocisign/ocisign";
 * import { MemoryStore } from "@ocisign/ocisign/content";
 * import { digestBytes } from "@ocisign/ocisign/digest";
 * import { LocalSigner } from "@ocisign/ocisign/signature";
 * import { MemoryTrustStore, parseTrustPolicyDocument } from "@ocisign/ocisign/trust";
 * import { generateTestCertificate } from "@ocisign/ocisign/x509";
 *
 * // An image (an artifact with the empty config) in a store held in memory.
 * const store = new MemoryStore();
 * const bytes = new TextEncoder().encode("{}");
 * const config = {
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: await digestBytes(bytes),
 *   size: bytes.length,
 * };
 * await store.push(config, bytes);
 * const manifest = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   artifactType: "application/vnd.example",
 *   config,
 *   layers: [config],
 * }));
 * const image = {
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: await digestBytes(manifest),
 *   size: manifest.length,
 * };
 * await store.push(image, manifest);
 * await store.tag(image, "v1");
 *
 * // Sign it with a test key, then verify against a policy trusting that certificate.
 * const { keyPem, certificatePem } = await generateTestCertificate("example.com");
 * const signer = await LocalSigner.create({ privateKey: keyPem, certificateChain: certificatePem });
 * await signArtifact(store, "v1", { signer, format: "cose" });
 *
 * const { signatures } = await listSignatures(store, "v1");
 * if (signatures.length !== 1) throw new Error(`expected one signature, got ${signatures.length}`);
 *
 * const result = await verifyArtifact(store, "v1", {
 *   scope: "local/example",
 *   policyDocument: parseTrustPolicyDocument(JSON.stringify({
 *     version: "1.0",
 *     trustPolicies: [{
 *       name: "example",
 *       registryScopes: ["local/example"],
 *       signatureVerification: { level: "strict" },
 *       trustStores: ["ca:example"],
 *       trustedIdentities: ["*"],
 *     }],
 *   })),
 *   trustStore: new MemoryTrustStore({ "ca:example": [certificatePem] }),
 * });
 * if (result.subject.digest !== image.digest) throw new Error("verified another artifact");
 * ```
 *
 * @example The same with a layout on disk
 * ```ts ignore
 * import { openLayout, signArtifact, verifyArtifact } from "@ocisign/ocisign";
 * import { LocalSigner } from "@ocisign/ocisign/signature";
 * import { FsTrustStore, parseTrustPolicyDocument } from "@ocisign/ocisign/trust";
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
 * @example Handle errors by code
 * ```ts
 * import { type AnyOcisignError, NotFoundError, OcisignError } from "@ocisign/ocisign";
 *
 * const err: unknown = new NotFoundError("tag v1 not found in ./hello-world");
 * if (!(err instanceof OcisignError)) throw err;
 * const e = err as AnyOcisignError;
 * if (e.code !== "ERR_NOT_FOUND") throw new Error(`unexpected ${e.code}`);
 * ```
 *
 * @module
 */
export * from "./lib/errors.ts";
export { signArtifact } from "./lib/sign/sign_artifact.ts";
export type {
  SignArtifactOptions,
  SignArtifactResult,
  SignDescriptorOptions,
} from "./lib/sign/sign_artifact.ts";
export { verifyArtifact } from "./lib/verify/verify_artifact.ts";
export { listSignatures } from "./lib/verify/list_signatures.ts";
export { copy } from "./lib/copy/copy.ts";
export { openLayout } from "./lib/layout/open_layout.ts";
export { openRepository, Registry } from "./lib/registry/registry.ts";
export { buildImage } from "./lib/image_builder/build_image.ts";
export { signBlob, verifyBlob } from "./lib/blob/mod.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "./lib/_internal/bytes.ts";
export type {
  AddLimits,
  BaseResolver,
  BuildImageOptions,
  BuildImageResult,
  BuiltManifest,
  ResolvedBase,
} from "./lib/image_builder/build_options.ts";
export type {
  ContainerConfig,
  HealthConfig,
  HistoryEntry,
  ImageConfig,
} from "./lib/image_builder/image_config.ts";
export type {
  DirEntry,
  FileHandle,
  FileInfo,
  FileLock,
  Fs,
  LockOptions,
  ScanFileOptions,
  WriteOptions,
} from "./lib/content/fs.ts";
export type {
  ByteRange,
  Closer,
  Committer,
  Deleter,
  Fetcher,
  GraphTarget,
  Mounter,
  MountOptions,
  Op,
  Pusher,
  RangeFetcher,
  ReadOnlyGraphTarget,
  ReadOnlyStorage,
  ReadOnlyTarget,
  ReferrerLister,
  Resolver,
  Tagger,
  TagLister,
  Target,
  Untagger,
} from "./lib/content/storage.ts";
export type { CopyOptions } from "./lib/copy/copy.ts";
export type { CopyGraphOptions, CopyProgress } from "./lib/copy/copy_graph.ts";
export type { DigestAlgorithm } from "./lib/digest/digest.ts";
export type { Hasher, HasherFactory, OffThreadHasher } from "./lib/digest/hasher.ts";
export type { OpenLayoutOptions } from "./lib/layout/layout_store.ts";
export type { OciLayout } from "./lib/layout/oci_layout.ts";
export type { Descriptor, Platform } from "./lib/oci/descriptor.ts";
export type { Credential, CredentialProvider } from "./lib/registry/credentials.ts";
export type { FetchFunction, HttpClientOptions, RetryOptions } from "./lib/registry/http_client.ts";
export type { OpenedRepository, RegistryOptions } from "./lib/registry/registry.ts";
export type {
  FetchedManifest,
  MountResult,
  ReferrersMode,
  Repository,
  RepositoryOptions,
} from "./lib/registry/repository.ts";
export type { SignatureManifestShape } from "./lib/sign/signature_manifest.ts";
export type {
  EnvelopeContent,
  EnvelopeFormat,
  ExtendedAttribute,
  Payload,
  SignatureAlgorithm,
  SignedAttributes,
  SignerInfo,
  SigningScheme,
  UnsignedAttributes,
} from "./lib/signature/envelope.ts";
export type { TimestampingOptions } from "./lib/signature/request_timestamp.ts";
export type { Signer } from "./lib/signature/signer.ts";
export type { Timestamper } from "./lib/signature/timestamper.ts";
export type {
  PolicyStatement,
  TrustPolicyDocument,
  TrustPolicyStatement,
} from "./lib/trust/trust_policy.ts";
export type { TrustStore } from "./lib/trust/trust_store.ts";
export type { TrustStoreType } from "./lib/trust/trust_store_type.ts";
export type {
  SignatureVerification,
  ValidationAction,
  ValidationType,
  VerificationLevel,
  VerificationLevelName,
} from "./lib/trust/verification_level.ts";
export type { ListSignaturesOptions, ListSignaturesResult } from "./lib/verify/list_signatures.ts";
export type { ValidationResult, VerificationOutcome } from "./lib/verify/verification_outcome.ts";
export type { VerifyArtifactOptions, VerifyArtifactResult } from "./lib/verify/verify_artifact.ts";
export type {
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageBit,
} from "./lib/x509/certificate.ts";
export type { NameAttribute } from "./lib/x509/distinguished_name.ts";
export type { JwsAlgorithm, KeySpec, KeySpecName } from "./lib/x509/key_spec.ts";
export type { CrlBundle, CrlCache } from "./lib/x509/revocation/crl_cache.ts";
export type { RevocationClient, RevocationFetch } from "./lib/x509/revocation/revocation_client.ts";
export type { SignBlobOptions, SignBlobResult } from "./lib/blob/sign_blob.ts";
export type { VerifyBlobOptions, VerifyBlobResult } from "./lib/blob/verify_blob.ts";
export type { ByteProgress } from "./lib/content/byte_progress.ts";
export type {
  BlobStatter,
  UnverifiedBlob,
  UnverifiedFetcher,
} from "./lib/content/blob_abilities.ts";
export type { IndexChange, LayoutIndex } from "./lib/content/_layout_index.ts";
export type { ResolveHost } from "./lib/registry/_realm_guard.ts";
export type {
  OpenedVerificationPlugin,
  VerificationPluginHost,
  VerifySignatureInput,
  VerifySignatureOutput,
} from "./lib/verify/verification_plugin.ts";
export type { ContentProblem, VerifyContentResult } from "./lib/verify/verify_content.ts";
export type {
  EnvelopeRequest,
  EnvelopeSigner,
  GeneratedEnvelope,
} from "./lib/sign/premade_envelope.ts";
export type { DownloadLimits } from "./lib/image_builder/add_download.ts";
export type { ArchiveLimits } from "./lib/image_builder/add_sources.ts";
