/**
 * Helpers for `RangeFetcher` implementers: checking a range against a descriptor and
 * cutting a range out of a stream.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { InvalidInputError, SizeMismatchError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { ByteRange } from "./storage.ts";

/**
 * Checks that `range` lies inside the content `desc` names.
 *
 * @example
 * ```ts
 * import { checkRange } from "./range_stream.ts";
 * checkRange({ mediaType: "text/plain", digest: "sha256:" + "0".repeat(64), size: 5 }, {
 *   offset: 1,
 *   length: 4,
 * });
 * ```
 * @throws {InvalidInputError} ERR_INVALID_INPUT when it does not.
 */
export function checkRange(desc: Descriptor, range: ByteRange): void {
  const { offset, length } = range;
  if (
    !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 ||
    offset + length > desc.size
  ) {
    throw new InvalidInputError(
      `Range of ${length} bytes at offset ${offset} is outside ${desc.digest} ` +
        `(${desc.size} bytes); ask for a range inside the content`,
    );
  }
}

/**
 * The bytes `range` names in `stream`: the bytes before it are skipped and the stream is
 * cancelled after it, or with `drain` read to its end (so a verifying stream reports a
 * mismatch before the range ends). The result errors with {@linkcode SizeMismatchError} when
 * `stream` ends early (`digest` names the content in the error).
 *
 * @example
 * ```ts
 * import { rangeOf } from "./range_stream.ts";
 * const part = rangeOf(new Blob(["hello"]).stream(), { offset: 1, length: 3 }, "sha256:…");
 * console.log(await new Response(part).text()); // "ell"
 * ```
 */
export function rangeOf(
  stream: ReadableStream<Uint8Array>,
  range: ByteRange,
  digest: string,
  opts: { drain?: boolean } = {},
): ReadableStream<Bytes> {
  const reader = stream.getReader();
  let pos = 0;
  const end = range.offset + range.length;
  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      for (;;) {
        if (pos >= end) {
          if (opts.drain) {
            while (!(await reader.read()).done) { /* verified as it is read */ }
          } else {
            await reader.cancel().catch(() => {});
          }
          controller.close();
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.error(new SizeMismatchError(digest, end, pos));
          return;
        }
        const start = pos;
        pos += value.length;
        if (pos <= range.offset) continue;
        const from = Math.max(0, range.offset - start);
        const to = Math.min(value.length, end - start);
        controller.enqueue(value.subarray(from, to) as Bytes);
        return;
      }
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
