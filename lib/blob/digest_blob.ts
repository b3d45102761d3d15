/**
 * Streaming digest of a blob: reads a web stream once, in flat memory, and returns its digest
 * and size.
 *
 * @module
 */
import { AbortedError } from "../errors.ts";
import type { DigestAlgorithm } from "../digest/digest.ts";
import type { HasherFactory, OffThreadHasher } from "../digest/hasher.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";

/** Options of {@linkcode digestBlob}. */
export interface DigestBlobOptions {
  /** Makes the hasher (default: pure TypeScript; the CLI passes `node:crypto`'s). */
  hasher?: HasherFactory;
  /** Cancels the read; the stream is cancelled too. */
  signal?: AbortSignal;
  /**
   * Told the bytes read so far: 0 first, then after each chunk (the blob has no descriptor
   * until its last byte is hashed).
   */
  onProgress?: (bytes: number) => void;
}

/** What {@linkcode digestBlob} measured. */
export interface BlobDigest {
  /** `<algorithm>:<hex>`. */
  digest: string;
  /** Bytes read. */
  size: number;
}

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
 * @param options Hasher and cancellation.
 * @returns The digest and size.
 * @throws {AbortedError} ERR_ABORTED when cancelled.
 */
export async function digestBlob(
  blob: ReadableStream<Uint8Array>,
  algorithm: DigestAlgorithm,
  options: DigestBlobOptions = {},
): Promise<BlobDigest> {
  const aborted = (): void => {
    if (options.signal?.aborted) {
      throw new AbortedError("Hashing the blob was aborted", { cause: options.signal.reason });
    }
  };
  options.onProgress?.(0);
  const byob = byobReader(blob);
  const offThread = byob === undefined ? undefined : options.hasher?.offThread?.(algorithm);
  if (offThread !== undefined) return await digestOffThread(byob!, offThread, algorithm, aborted);
  const hasher = (options.hasher ?? pureHasherFactory)(algorithm);
  let size = 0;
  if (byob !== undefined) {
    // Two buffers, reused: the next read is in flight while the previous chunk is hashed.
    let next = byob.read(new Uint8Array(READ_BUFFER_BYTES));
    let spare = new Uint8Array(READ_BUFFER_BYTES);
    try {
      for (;;) {
        aborted();
        const { done, value } = await next;
        if (done || value === undefined) break;
        next = byob.read(spare);
        size += value.length;
        hasher.update(value);
        options.onProgress?.(size);
        spare = new Uint8Array(value.buffer);
      }
    } catch (err) {
      await byob.cancel(err).catch(() => {});
      throw err;
    }
    return { digest: `${algorithm}:${hasher.digestHex()}`, size };
  }
  const reader = blob.getReader();
  try {
    for (;;) {
      aborted();
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      hasher.update(value);
      options.onProgress?.(size);
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  }
  return { digest: `${algorithm}:${hasher.digestHex()}`, size };
}

/** Bytes read at once from a byte stream (a file, a `fetch` body). */
const READ_BUFFER_BYTES = 1024 * 1024;

/** A BYOB reader when the stream is a byte stream (files, `fetch` bodies), else undefined. */
/**
 * Reads straight into the buffers an off-thread hasher lends (no copy on this thread) and hands
 * each full one over: the next read runs while the other thread hashes the last.
 */
async function digestOffThread(
  byob: ReadableStreamBYOBReader,
  hasher: OffThreadHasher,
  algorithm: DigestAlgorithm,
  aborted: () => void,
): Promise<BlobDigest> {
  let size = 0;
  try {
    for (let done = false; !done;) {
      let buffer = await hasher.buffer();
      let filled = 0;
      while (filled < buffer.length) {
        aborted();
        const read = await byob.read(buffer.subarray(filled));
        if (read.value !== undefined) buffer = new Uint8Array(read.value.buffer);
        if (read.done) {
          done = true;
          break;
        }
        filled += read.value.length;
      }
      size += filled;
      if (filled > 0) hasher.update(buffer, filled);
    }
    return { digest: `${algorithm}:${await hasher.digestHex()}`, size };
  } catch (err) {
    hasher.abort();
    await byob.cancel(err).catch(() => {});
    throw err;
  }
}

function byobReader(blob: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return blob.getReader({ mode: "byob" });
  } catch {
    return undefined;
  }
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
