/**
 * Byte-level progress of one blob: a callback told how many bytes of a descriptor's content
 * have passed, and a pass-through stream that tells it (chunks are handed on as they are, never
 * copied).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { isVerifiedStream, passOnVerified } from "../digest/verify_stream.ts";
import type { Descriptor } from "../oci/descriptor.ts";

/**
 * Told the bytes of `desc` that have passed so far: once with 0 when the blob starts, then after
 * each chunk; the last call has `bytes === desc.size` when the blob is complete.
 */
export type ByteProgress = (desc: Descriptor, bytes: number) => void;

/**
 * Passes `stream` on unchanged and reports the bytes read through it. Without a callback the
 * stream itself is returned (no cost). A stream verified against its digest stays recognised as
 * verified.
 *
 * @example
 * ```ts
 * import { countBytes } from "./byte_progress.ts";
 * const desc = { mediaType: "application/octet-stream", digest: "sha256:" + "0".repeat(64), size: 2 };
 * const seen: number[] = [];
 * const counted = countBytes(new Blob(["{}"]).stream(), desc, (_d, n) => seen.push(n));
 * await new Response(counted).arrayBuffer();
 * console.log(seen); // [0, 2]
 * ```
 * @param stream The blob's bytes.
 * @param desc The blob.
 * @param onProgress Told the bytes so far; absent: `stream` is returned as is.
 * @returns A stream with the same bytes and errors.
 */
export function countBytes(
  stream: ReadableStream<Bytes>,
  desc: Descriptor,
  onProgress: ByteProgress | undefined,
): ReadableStream<Bytes> {
  if (onProgress === undefined) return stream;
  const reader = stream.getReader();
  let bytes = 0;
  const counted = new ReadableStream<Bytes>({
    start(): void {
      onProgress(desc, 0);
    },
    async pull(controller): Promise<void> {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      bytes += value.length;
      controller.enqueue(value);
      onProgress(desc, bytes);
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return isVerifiedStream(stream) ? passOnVerified(stream, counted) : counted;
}
