/**
 * Private bounded read of a response body (error bodies, token responses, tag and referrer pages).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { SizeExceededError } from "../errors.ts";

/**
 * Reads a whole stream, refusing more than `limit` bytes; the stream is cancelled on failure.
 * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when the stream is longer than `limit`.
 */
export async function readAllBounded(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  what: string,
): Promise<Bytes> {
  if (body === null) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) throw new SizeExceededError(what, total, limit);
      parts.push(value);
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
  return concat(parts);
}
