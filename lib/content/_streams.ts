/**
 * Private stream helpers for the content layer: bounded reads, byte sources, abort checks.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { AbortedError, SizeExceededError, SizeMismatchError } from "../errors.ts";

/** Throws {@linkcode AbortedError} when the signal has fired. */
export function checkAborted(signal: AbortSignal | undefined, what = "The operation"): void {
  if (signal?.aborted) throw new AbortedError(`${what} was aborted`, { cause: signal.reason });
}

/** A one-chunk stream over bytes. */
export function bytesStream(bytes: Uint8Array): ReadableStream<Bytes> {
  return new ReadableStream<Bytes>({
    start(controller): void {
      if (bytes.length > 0) controller.enqueue(bytes as Bytes);
      controller.close();
    },
  });
}

/** Options for {@linkcode readBounded}. */
export interface ReadBoundedOptions {
  /** Hard limit; more bytes give `SizeExceededError` (or `SizeMismatchError` with `expected`). */
  limit: number;
  /** When set, reading more than this many bytes is a size mismatch for `digest`. */
  expected?: { digest: string; size: number };
  /** Describes the content for error messages. */
  what: string;
  signal?: AbortSignal | undefined;
}

/**
 * Reads a stream or byte array into memory, refusing to buffer more than `limit` bytes; the
 * stream is cancelled on any failure.
 */
export async function readBounded(
  body: ReadableStream<Uint8Array> | Uint8Array,
  opts: ReadBoundedOptions,
): Promise<Bytes> {
  const tooMany = (n: number): Error =>
    opts.expected && opts.expected.size < opts.limit
      ? new SizeMismatchError(opts.expected.digest, opts.expected.size, n)
      : new SizeExceededError(opts.what, n, opts.limit);
  const cap = Math.min(opts.limit, opts.expected?.size ?? opts.limit);
  if (body instanceof Uint8Array) {
    checkAborted(opts.signal);
    if (body.length > cap) throw tooMany(body.length);
    return body as Bytes;
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      checkAborted(opts.signal);
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > cap) throw tooMany(total);
      chunks.push(value);
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0] as Bytes;
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}
