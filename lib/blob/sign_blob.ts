/**
 * Signs any file as notation 2 does (`notation blob sign`): the blob is hashed as it streams,
 * with the digest algorithm of the signing key, and its descriptor is signed into a detached
 * JWS or COSE envelope.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#blob-signing
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { UnsupportedError } from "../errors.ts";
import { generatesEnvelopes } from "../sign/premade_envelope.ts";
import { signDescriptor } from "../sign/sign_artifact.ts";
import type { SignDescriptorOptions } from "../sign/sign_artifact.ts";
import { checkBlobMediaType, DEFAULT_BLOB_MEDIA_TYPE } from "./blob_media_type.ts";
import { blobDigestAlgorithm, digestBlob } from "./digest_blob.ts";

/** Options of {@linkcode signBlob}. */
export interface SignBlobOptions extends SignDescriptorOptions {
  /** The blob's media type (default `application/octet-stream`). */
  mediaType?: string;
  /** Makes the hasher (default: pure TypeScript; the CLI passes `node:crypto`'s). */
  hasher?: HasherFactory;
  /** Told the bytes hashed so far: 0 first, then after each chunk. */
  onProgress?: (bytes: number) => void;
}

/** What {@linkcode signBlob} produced. */
export interface SignBlobResult {
  /** The signed descriptor (`targetArtifact` without annotations). */
  targetArtifact: Descriptor;
  /** The envelope: the detached signature file's content. */
  envelope: Bytes;
  /** `application/jose+json` or `application/cose`. */
  envelopeMediaType: string;
}

/**
 * Reads `blob` to its end and signs its descriptor.
 *
 * @example
 * ```ts ignore
 * import { signBlob } from "./sign_blob.ts";
 * const { envelope } = await signBlob(new Blob([releaseBytes]).stream(), { signer, format: "jws" });
 * // write `envelope` to app.tar.gz.jws.sig
 * ```
 * @param blob The bytes to sign.
 * @param options Signer, format, media type, expiry, user metadata, timestamping.
 * @returns The descriptor and the envelope.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a bad media type, user metadata or expiry.
 * @throws {TimestampError} ERR_TIMESTAMP when `timestamp` is set and the TSA fails or is refused.
 * @throws {AbortedError} ERR_ABORTED when cancelled.
 */
export async function signBlob(
  blob: ReadableStream<Uint8Array>,
  options: SignBlobOptions,
): Promise<SignBlobResult> {
  let mediaType: string;
  try {
    mediaType = checkBlobMediaType(options.mediaType ?? DEFAULT_BLOB_MEDIA_TYPE);
  } catch (err) {
    await blob.cancel(err).catch(() => {});
    throw err;
  }
  // An envelope-generating plugin names no key before it signs: hash with SHA-256, and refuse
  // its envelope when its key hashes otherwise (verifiers hash the blob with the leaf key's hash).
  const algorithm = generatesEnvelopes(options.signer)
    ? "sha256"
    : blobDigestAlgorithm(options.signer.keySpec);
  const { digest, size } = await digestBlob(blob, algorithm, options);
  const targetArtifact: Descriptor = { mediaType, digest, size };
  const signed = await signDescriptor(targetArtifact, options);
  const used = blobDigestAlgorithm(signed.certificateChain[0]!.keySpec());
  if (used !== algorithm) {
    throw new UnsupportedError(
      `${
        generatesEnvelopes(options.signer) ? options.signer.name : "the signer"
      } signed with a key whose blob digest is ${used}, but the blob was hashed with ${algorithm}; blobs are signed through envelope-generating plugins only with RSA-2048 or EC-256 keys`,
    );
  }
  return { targetArtifact, envelope: signed.bytes, envelopeMediaType: signed.mediaType };
}
