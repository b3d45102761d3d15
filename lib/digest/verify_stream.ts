/**
 * Pass-through verification of streamed content against a descriptor's size and digest.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { DigestMismatchError, SizeMismatchError } from "../errors.ts";
import { parseDigest } from "./digest.ts";
import type { HasherFactory } from "./hasher.ts";

/** The part of a descriptor that content is verified against. */
export interface ExpectedContent {
  /** `<algorithm>:<hex>`. */
  digest: string;
  /** Exact size in bytes. */
  size: number;
}

/**
 * A `TransformStream` that passes bytes through unchanged while counting and hashing them. It
 * errors with {@linkcode SizeMismatchError} as soon as more bytes than `expected.size` arrive,
 * and at the end with {@linkcode SizeMismatchError} (too few) or
 * {@linkcode DigestMismatchError}, so a consumer never sees a clean end on bad content.
 *
 * @example
 * ```ts
 * import { VerifyingStream } from "./verify_stream.ts";
 * import { pureHasherFactory } from "./pure_hasher.ts";
 * const body = new Blob(["{}"]).stream();
 * const expected = {
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * };
 * const verified = body.pipeThrough(new VerifyingStream(expected, pureHasherFactory));
 * console.log(await new Response(verified).text()); // "{}"
 * ```
 */
export class VerifyingStream extends TransformStream<Uint8Array, Bytes> {
  /**
   * Creates the verifying transform.
   * @param expected Digest and size the bytes must match.
   * @param hasherFactory Makes the incremental hasher.
   * @throws {InvalidDigestError} ERR_INVALID_DIGEST when `expected.digest` is malformed.
   */
  constructor(expected: ExpectedContent, hasherFactory: HasherFactory) {
    const { algorithm, hex } = parseDigest(expected.digest);
    if (!Number.isSafeInteger(expected.size) || expected.size < 0) {
      throw new RangeError(`Cannot verify content: invalid size ${expected.size}`);
    }
    const hasher = hasherFactory(algorithm);
    let seen = 0;
    super({
      transform(chunk, controller): void {
        seen += chunk.length;
        if (seen > expected.size) {
          controller.error(new SizeMismatchError(expected.digest, expected.size, seen));
          return;
        }
        hasher.update(chunk);
        controller.enqueue(chunk as Bytes);
      },
      flush(controller): void {
        if (seen !== expected.size) {
          controller.error(new SizeMismatchError(expected.digest, expected.size, seen));
          return;
        }
        const actual = hasher.digestHex();
        if (actual !== hex) {
          controller.error(new DigestMismatchError(expected.digest, `${algorithm}:${actual}`));
        }
      },
    });
  }
}

/**
 * Wraps a stream so that it is verified against `expected` as it is read (see
 * {@linkcode VerifyingStream}).
 *
 * @example
 * ```ts
 * import { verifyStream } from "./verify_stream.ts";
 * import { pureHasherFactory } from "./pure_hasher.ts";
 * const bad = verifyStream(new Blob(["{x"]).stream(), {
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * }, pureHasherFactory);
 * await new Response(bad).text().catch((e) => console.log(e.code)); // ERR_DIGEST_MISMATCH
 * ```
 * @param stream The untrusted bytes.
 * @param expected Digest and size they must match.
 * @param hasherFactory Makes the incremental hasher.
 * @returns The same bytes, erroring on a mismatch.
 */
export function verifyStream(
  stream: ReadableStream<Uint8Array>,
  expected: ExpectedContent,
  hasherFactory: HasherFactory,
): ReadableStream<Bytes> {
  return stream.pipeThrough(new VerifyingStream(expected, hasherFactory));
}
