/**
 * The digest of a blob (one streaming read, see `digestStream`) and the digest algorithm of a
 * blob signed with a given key.
 *
 * @module
 */
import type { DigestAlgorithm } from "../digest/digest.ts";
import {
  digestStream,
  type DigestStreamOptions,
  type StreamDigest,
} from "../digest/digest_stream.ts";

/** Options of {@linkcode digestBlob}. */
export type DigestBlobOptions = DigestStreamOptions;

/** What {@linkcode digestBlob} measured. */
export type BlobDigest = StreamDigest;

/**
 * Hashes a stream to its end.
 *
 * @example
 * ```ts
 * import { digestBlob } from "./digest_blob.ts";
 * const { digest, size } = await digestBlob(new Blob(["{}"]).stream(), "sha256");
 * console.log(size, digest); // 2 sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
 * ```
 * @param blob The bytes.
 * @param algorithm sha256, sha384 or sha512.
 * @param options Hasher, cancellation and progress (the blob has no descriptor until its last
 *   byte is hashed).
 * @returns The digest and size.
 * @throws {AbortedError} ERR_ABORTED when cancelled.
 */
export function digestBlob(
  blob: ReadableStream<Uint8Array>,
  algorithm: DigestAlgorithm,
  options: DigestBlobOptions = {},
): Promise<BlobDigest> {
  return digestStream(blob, algorithm, options);
}

/**
 * The digest algorithm notation uses for a blob signed with a key: the key spec's hash
 * (RSA-2048 and EC P-256 → sha256, RSA-3072 and P-384 → sha384, RSA-4096 and P-521 → sha512).
 *
 * @example
 * ```ts
 * import { blobDigestAlgorithm } from "./digest_blob.ts";
 * import { keySpecByName } from "../x509/key_spec.ts";
 * console.log(blobDigestAlgorithm(keySpecByName("EC-384"))); // sha384
 * ```
 * @param keySpec The signing key's spec.
 * @returns The digest algorithm.
 */
export function blobDigestAlgorithm(
  keySpec: { hash: "SHA-256" | "SHA-384" | "SHA-512" },
): DigestAlgorithm {
  return keySpec.hash === "SHA-384" ? "sha384" : keySpec.hash === "SHA-512" ? "sha512" : "sha256";
}
