/**
 * Private: an upload part written by the runtime natively ({@linkcode Fs.writeBodyFile}) while
 * the file system's hashing thread follows the growing file (`Fs.hashGrowingFile`; else this
 * thread scans it), so that the thread receiving the body does not hash it.
 * The part gets its name only once it is whole, its size checked and its data flushed (as it
 * grows too, so that the flush after the last byte is short).
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import type { Op } from "../content/storage.ts";
import type { DigestAlgorithm } from "../digest/digest.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { SizeExceededError, SizeMismatchError } from "../errors.ts";
import { flushAhead, hashGrowing } from "../layout/_receive_file.ts";
import { tap } from "./_tap.ts";

/**
 * Passes `body` through, counting its bytes into `onBytes`, and errors with
 * {@linkcode SizeExceededError} (cancelling the body) once it is longer than `maxBytes`, or with
 * `signal`'s reason when it aborts.
 */
export function counted(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  onBytes: (n: number) => void,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  let total = 0;
  return tap(body, (chunk) => {
    total += chunk.length;
    if (total > maxBytes) throw new SizeExceededError("The upload chunk", total, maxBytes);
    onBytes(total);
  }, signal);
}

/**
 * Writes `body` to a temporary file beside `path` natively while hashing it with `algorithm`,
 * checks its size, flushes it and renames it to `path`. On any failure the temporary file goes.
 * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when the body is longer than `opts.maxBytes`.
 * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when `opts.exact` is set and it is shorter.
 */
export async function writeHashedPart(
  fs: Fs,
  hasher: HasherFactory,
  path: string,
  body: ReadableStream<Uint8Array>,
  opts: Op & { maxBytes: number; exact?: boolean; algorithm: DigestAlgorithm },
): Promise<{ size: number; hex: string }> {
  const tmp = `${path}.partial`;
  const stop = new AbortController();
  const signal = opts.signal === undefined
    ? stop.signal
    : AbortSignal.any([opts.signal, stop.signal]);
  let received = 0;
  // The signal stops the body too, so that the write itself ends (Bun's cannot be stopped from
  // outside: its signal only ends the wait for it), and with it the file's descriptor.
  const counting = counted(body, opts.maxBytes, (n) => received = n, signal);
  const written = fs.writeBodyFile!(tmp, counting, { signal });
  let writeFailed: { error: unknown } | undefined;
  written.catch((error) => writeFailed = { error });
  // Flushed as it grows, and once written while the check ends, so that the last flush is short.
  const ahead = flushAhead(fs, tmp);
  const synced = written.then(() => Promise.all([ahead.finish(), fs.syncFile?.(tmp)]));
  synced.catch(() => {});
  try {
    let hashed: { hex: string; size: number };
    try {
      hashed = await hashGrowing(fs, hasher, tmp, opts.algorithm, {
        growing: written,
        maxBytes: opts.maxBytes,
        onRead: (bytes) => ahead.grown(bytes),
      });
    } catch (err) {
      // A failed write (the body failed, or the disk) is reported as such, not as a missing file.
      if (writeFailed !== undefined) throw writeFailed.error;
      // The check failed (its thread died): the write must not run on unread.
      stop.abort(err);
      await written.catch(() => {});
      throw err;
    }
    // A failed write (the body failed, or the disk) is reported as such, not as a short file.
    await written;
    if (hashed.size > opts.maxBytes) {
      throw new SizeExceededError("The upload chunk", hashed.size, opts.maxBytes);
    }
    if (hashed.size !== received) {
      throw new SizeMismatchError(`upload part ${path}`, received, hashed.size);
    }
    if (opts.exact === true && hashed.size !== opts.maxBytes) {
      throw new SizeMismatchError(`upload part ${path}`, opts.maxBytes, hashed.size);
    }
    await synced;
    await fs.rename(tmp, path);
    return { size: hashed.size, hex: hashed.hex };
  } catch (err) {
    // A flush may still run on the file: it ends before the file goes.
    await Promise.allSettled([synced, ahead.finish()]);
    await fs.remove(tmp);
    throw err;
  }
}
