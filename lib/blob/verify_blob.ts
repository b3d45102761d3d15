/**
 * Verifies a detached blob signature as notation 2 does (`notation blob verify`): the envelope
 * goes through exactly the checks of an image signature (integrity, trust stores and trusted
 * identity, expiry, authentic timestamp, revocation, each with the blob trust policy statement's
 * action), and the blob, hashed as it streams with the signing key's digest algorithm, must
 * match the signed digest and size — and the media type when one is expected.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#blob-trust-policy
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { OcisignError, SignatureIntegrityError, SubjectMismatchError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from "../oci/media_types.ts";
import type { EnvelopeFormat } from "../signature/envelope.ts";
import { parseEnvelope } from "../signature/parse_envelope.ts";
import { parsePayload } from "../signature/payload.ts";
import type { PolicyStatement } from "../trust/trust_policy.ts";
import { statementLevel } from "../trust/trust_policy.ts";
import type { TrustStore } from "../trust/trust_store.ts";
import type { VerificationOutcome } from "../verify/verification_outcome.ts";
import { verifyEnvelope } from "../verify/verify_envelope.ts";
import type { RevocationClient } from "../x509/revocation/revocation_client.ts";
import { parseCertificate } from "../x509/certificate.ts";
import { checkBlobMediaType } from "./blob_media_type.ts";
import { blobDigestAlgorithm, digestBlob } from "./digest_blob.ts";
import type { DigestAlgorithm } from "../digest/digest.ts";
import type { VerificationPluginHost } from "../verify/verification_plugin.ts";

/** Options of {@linkcode verifyBlob}. */
export interface VerifyBlobOptions {
  /** The envelope format (from the signature file name: `.jws.sig` or `.cose.sig`). */
  format: EnvelopeFormat;
  /** The blob trust policy statement (see `selectBlobTrustPolicy`). */
  policy: PolicyStatement;
  /** Where the trusted certificates of the policy's stores come from. */
  trustStore: TrustStore;
  /** The media type the blob must have been signed with (not compared when absent). */
  mediaType?: string;
  /** Key/value pairs that must be present in the signed user metadata. */
  userMetadata?: Record<string, string>;
  /** The verification time (default: now). */
  now?: Date;
  /** Network access for OCSP and CRL checks; without it revocation is skipped with a note. */
  revocationClient?: RevocationClient;
  /** Runs the verification plugin a signature names; without it such a signature fails. */
  verificationPlugins?: VerificationPluginHost;
  /** Makes the hasher (default: pure TypeScript; the CLI passes `node:crypto`'s). */
  hasher?: HasherFactory;
  /** Cancels the read and the checks. */
  signal?: AbortSignal;
}

/** What {@linkcode verifyBlob} established. */
export interface VerifyBlobResult {
  /** True when the policy's level is `skip`: nothing was checked. */
  skipped: boolean;
  /** Every check run, with logged failures (warnings); absent when skipped. */
  outcome?: VerificationOutcome;
  /** The signed descriptor, with the signed user metadata as `annotations`. */
  targetArtifact?: Descriptor;
}

const ENVELOPE_MEDIA_TYPE: Record<EnvelopeFormat, string> = {
  jws: MEDIA_TYPE_JWS,
  cose: MEDIA_TYPE_COSE,
};

/** What the (not yet verified) envelope says: enough to know how to hash the blob. */
function preview(
  signature: Bytes,
  format: EnvelopeFormat,
): { algorithm: DigestAlgorithm; signedMediaType: string } {
  const content = parseEnvelope(signature, ENVELOPE_MEDIA_TYPE[format]).unverifiedContent();
  const leaf = content.signerInfo.certificateChain[0];
  if (leaf === undefined) throw new SignatureIntegrityError("certificate chain is not present");
  return {
    // notation-go: the blob is hashed with the hash of the signing certificate's key
    algorithm: blobDigestAlgorithm(parseCertificate(leaf).keySpec()),
    signedMediaType: parsePayload(content.payload.content).mediaType,
  };
}

/**
 * Verifies `signature` for the blob read from `blob`. Resolves only when the signature is to be
 * trusted (or the policy level is `skip`); failures that the level only logs are in
 * `outcome.results`.
 *
 * @example
 * ```ts ignore
 * import { selectBlobTrustPolicy, verifyBlob } from "../../mod.ts";
 * const response = await fetch("https://example.com/app.tar.gz");
 * const signature = new Uint8Array(await (await fetch("https://example.com/app.tar.gz.jws.sig")).arrayBuffer());
 * await verifyBlob(response.body!, signature, {
 *   format: "jws",
 *   policy: selectBlobTrustPolicy(policyDocument, "releases"),
 *   trustStore,
 * });
 * ```
 * @param blob The blob's bytes (read to the end unless the level is `skip`).
 * @param signature The envelope (the `.sig` file's content).
 * @param options Format, policy statement, trust store, expected media type and metadata.
 * @returns The outcome and the signed descriptor.
 * @throws {EnvelopeInvalidError} ERR_ENVELOPE_INVALID when the signature is not an envelope.
 * @throws {SignatureIntegrityError} ERR_SIGNATURE_INTEGRITY and the other verification errors
 * (authenticity, trusted identity, expiry, timestamp, revocation, user metadata) when an
 * enforced check fails.
 * @throws {SubjectMismatchError} ERR_SIGNATURE_SUBJECT_MISMATCH when the blob's digest, size or
 * (with `mediaType`) media type is not the signed one.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed `mediaType`.
 */
export async function verifyBlob(
  blob: ReadableStream<Uint8Array>,
  signature: Bytes,
  options: VerifyBlobOptions,
): Promise<VerifyBlobResult> {
  let expected: { algorithm: DigestAlgorithm; signedMediaType: string };
  try {
    if (options.mediaType !== undefined) checkBlobMediaType(options.mediaType);
    if (statementLevel(options.policy).name === "skip") {
      await blob.cancel().catch(() => {});
      return { skipped: true };
    }
    expected = preview(signature, options.format);
  } catch (err) {
    await blob.cancel(err).catch(() => {});
    throw err;
  }
  const { digest, size } = await digestBlob(blob, expected.algorithm, options);
  const outcome = await verifyEnvelope(signature, {
    mediaType: ENVELOPE_MEDIA_TYPE[options.format],
    // notation compares the media type only when one is given
    subject: { mediaType: options.mediaType ?? expected.signedMediaType, digest, size },
    policy: options.policy,
    trustStore: options.trustStore,
    ...(options.userMetadata ? { userMetadata: options.userMetadata } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.revocationClient ? { revocationClient: options.revocationClient } : {}),
    ...(options.verificationPlugins ? { verificationPlugins: options.verificationPlugins } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  if (outcome.error instanceof SubjectMismatchError) {
    throw new SubjectMismatchError(
      `integrity check failed. signature does not match the given blob: ${outcome.error.message}`,
      {
        cause: outcome.error,
        ...(outcome.error.details ? { details: outcome.error.details } : {}),
      },
    );
  }
  if (outcome.error instanceof OcisignError) throw outcome.error;
  return {
    skipped: false,
    outcome,
    ...(outcome.targetArtifact ? { targetArtifact: outcome.targetArtifact } : {}),
  };
}
