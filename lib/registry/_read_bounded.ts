/**
 * Private bounded read of a response body (error bodies, token responses, tag and referrer pages).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { readBounded } from "../content/_streams.ts";

/**
 * Reads a response body (none counts as empty) into memory, refusing more than `limit` bytes
 * (`SizeExceededError`); the stream is cancelled on failure.
 */
export function readAllBounded(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  what: string,
): Promise<Bytes> {
  return body === null ? Promise.resolve(new Uint8Array(0)) : readBounded(body, { limit, what });
}
