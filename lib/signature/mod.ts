/**
 * Notary Project signature envelopes (JWS and COSE), byte-compatible with notation: signing,
 * parsing, and every integrity check of verification.
 *
 * @example Sign a payload and check the envelope (no network, no files)
 * ```ts
 * import { createPayload, LocalSigner, parseEnvelope, parsePayload, signEnvelope } from "@ocisign/ocisign/signature";
 * import { generateTestCertificate } from "@ocisign/ocisign/x509";
 *
 * const { keyPem, certificatePem } = await generateTestCertificate("example.com");
 * const signer = await LocalSigner.create({ privateKey: keyPem, certificateChain: certificatePem });
 * const subject = {
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * };
 * const bytes = await signEnvelope({ format: "cose", payload: createPayload(subject), signer });
 * const content = await parseEnvelope(bytes, "application/cose").verify();
 * const targetArtifact = parsePayload(content.payload.content);
 * if (targetArtifact.digest !== subject.digest) throw new Error("wrong subject");
 * ```
 *
 * @example Sign and verify
 * ```ts ignore
 * import { createPayload, LocalSigner, parseEnvelope, signEnvelope } from "@ocisign/ocisign/signature";
 * const signer = await LocalSigner.create({ privateKey: keyPem, certificateChain: certPem });
 * const bytes = await signEnvelope({ format: "cose", payload: createPayload(desc), signer });
 * const content = await parseEnvelope(bytes, "application/cose").verify();
 * ```
 *
 * @example Countersign with an RFC 3161 timestamp
 * ```ts ignore
 * import { HttpTimestamper, requestTimestamp, signEnvelope } from "@ocisign/ocisign/signature";
 * const timestamper = new HttpTimestamper("http://timestamp.example/", { fetch });
 * const bytes = await signEnvelope({
 *   format: "jws",
 *   payload,
 *   signer,
 *   timestamp: (signature) =>
 *     requestTimestamp(signature, { hash: signer.keySpec.hash, timestamper, rootCertificate }),
 * });
 * ```
 * @module
 */
export * from "./envelope.ts";
export * from "./payload.ts";
export * from "./signer.ts";
export * from "./sign_envelope.ts";
export * from "./parse_envelope.ts";
export * from "./timestamper.ts";
export * from "./timestamp_request.ts";
export * from "./timestamp_response.ts";
export * from "./request_timestamp.ts";
export * from "./timestamp_token.ts";
export * from "./timestamp_token_info.ts";
export { COSE_LABEL } from "./cose.ts";
export { HEADER as NOTARY_HEADER } from "./_rules.ts";
export type { NotaryHeaderName } from "./_rules.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type { Op } from "../content/storage.ts";
export type { Descriptor, Platform } from "../oci/descriptor.ts";
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
