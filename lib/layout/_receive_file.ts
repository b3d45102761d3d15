/**
 * Private: a blob received as a file ({@linkcode FileReceiver.receiveFile} of a layout
 * directory). The runtime writes the unverified bytes to a temporary file natively, while the
 * file system's `hashGrowingFile` (the hashing thread: this one receives the body under Deno and
 * writes it under Bun) or, where no worker thread can start, this thread follows the growing file
 * (from the page cache, in large reads) and hashes it; only a file whose size and digest match is
 * moved into `blobs/`, once flushed (it is also flushed while it grows, so that the last flush is
 * short). Whatever fails, the temporary directory goes.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { ReceiveFileOptions } from "../content/blob_abilities.ts";
import type { Fs } from "../content/fs.ts";
import { checkAborted } from "../content/_streams.ts";
import { type DigestAlgorithm, parseDigest } from "../digest/digest.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { DigestMismatchError, SizeMismatchError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";

/** Where and how a layout directory keeps a received file. */
export interface ReceiveContext {
  /** The layout's file system. */
  fs: Fs;
  /** Its native `writeBodyFile`, stopped by the signal. */
  write: (
    path: string,
    body: ReadableStream<Bytes>,
    signal: AbortSignal | undefined,
  ) => Promise<void>;
  /** The layout directory (the temporary file goes inside it, on the same file system). */
  root: string;
  /** Hashes the file. */
  hasher: HasherFactory;
  /** Moves the verified file into place. */
  ingest: (path: string) => Promise<void>;
}

/** Bytes written between two flushes of a growing file, so that the last flush has less to do. */
const FLUSH_AHEAD_BYTES = 32 * 1024 * 1024;

/**
 * Flushes a growing file every {@linkcode FLUSH_AHEAD_BYTES}, one flush at a time, so that the
 * flush after the last byte finds little left to write. `finish` starts no more of them and
 * rejects with the first failure (a flush error is reported once: it must fail the blob).
 */
export function flushAhead(fs: Fs, path: string) {
  let next = FLUSH_AHEAD_BYTES;
  let busy = false;
  let chain: Promise<void> = Promise.resolve();
  return {
    grown(bytes: number): void {
      if (bytes < next || busy || fs.syncFile === undefined) return;
      next = bytes + FLUSH_AHEAD_BYTES;
      busy = true;
      chain = chain.then(() => fs.syncFile!(path)).finally(() => busy = false);
      chain.catch(() => {});
    },
    finish(): Promise<void> {
      next = Infinity;
      return chain;
    },
  };
}

/** Thrown by a scan on this thread to stop reading a file longer than announced. */
const OVERLONG = Symbol("over-long");

/**
 * Hashes the file at `path` with `algorithm` while `opts.growing` still writes it: on the file
 * system's hashing thread where it has one, else on this thread (with `hasher`). As on the
 * hashing thread, reading stops once more than `opts.maxBytes` were read (then `hex` is empty);
 * `opts.onRead` hears of the bytes read so far.
 */
export async function hashGrowing(
  fs: Fs,
  hasher: HasherFactory,
  path: string,
  algorithm: DigestAlgorithm,
  opts: { growing: Promise<unknown>; maxBytes: number; onRead: (bytes: number) => void },
): Promise<{ hex: string; size: number }> {
  // Awaited: a file system whose hashing thread declines late resolves undefined.
  const off = await fs.hashGrowingFile?.(path, algorithm, opts);
  if (off !== undefined) return off;
  const hash = hasher(algorithm);
  let seen = 0;
  try {
    const size = await fs.scanFile!(path, (chunk) => {
      seen += chunk.length;
      // More than announced: no use hashing on (the writer stops at its limit anyway).
      if (seen > opts.maxBytes) throw OVERLONG;
      hash.update(chunk);
      opts.onRead(seen);
    }, { growing: opts.growing });
    return { hex: hash.digestHex(), size };
  } catch (err) {
    if (err === OVERLONG) return { hex: "", size: seen };
    throw err;
  }
}

/**
 * Hashes the file at `path` while `written` is still writing it, and throws unless it is
 * `desc`'s bytes. Reports the bytes read so far.
 */
async function checkGrowingFile(
  ctx: ReceiveContext,
  path: string,
  desc: Descriptor,
  written: Promise<void>,
  onWritten: ((bytes: number) => void) | undefined,
): Promise<void> {
  const { algorithm, hex } = parseDigest(desc.digest);
  const { hex: got, size } = await hashGrowing(ctx.fs, ctx.hasher, path, algorithm, {
    growing: written,
    maxBytes: desc.size,
    onRead: (bytes) => onWritten?.(bytes),
  });
  // The hashing thread tells its progress now and then: the last count is told here.
  if (size === desc.size) onWritten?.(size);
  // A failed write is reported as such, not as the short file it left.
  await written;
  if (size !== desc.size) throw new SizeMismatchError(desc.digest, desc.size, size);
  if (got !== hex) throw new DigestMismatchError(desc.digest, `${algorithm}:${got}`);
}

/**
 * Writes `body` to a temporary file in the layout, checks it against `desc` as it grows, flushes
 * it, then ingests it (`opts.onChecked` is told between the check and the end of the flush). The
 * file goes only after the write has ended (the body errors, or ends at its announced size).
 * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH, {SizeMismatchError} ERR_SIZE_MISMATCH when
 *   the file is not `desc`'s bytes; whatever the body or the write threw.
 */
export async function receiveFile(
  ctx: ReceiveContext,
  desc: Descriptor,
  body: ReadableStream<Bytes>,
  opts: ReceiveFileOptions,
): Promise<void> {
  const { fs, root } = ctx;
  let tmp: string;
  try {
    checkAborted(opts.signal);
    tmp = await fs.makeTempDir(root, ".ocisign-ingest-");
  } catch (err) {
    await body.cancel(err).catch(() => {});
    throw err;
  }
  const file = `${tmp}/blob`;
  const ahead = flushAhead(fs, file);
  try {
    const written = ctx.write(file, body, opts.signal);
    // Once written, the flush (waiting on the disk) runs beside the end of the check.
    const synced = written.then(() => {
      opts.onReceived?.();
      return Promise.all([ahead.finish(), fs.syncFile?.(file)]);
    });
    const onWritten = (bytes: number): void => {
      ahead.grown(bytes);
      opts.onWritten?.(bytes);
    };
    const [checked, flushed] = await Promise.allSettled([
      checkGrowingFile(ctx, file, desc, written, onWritten).then(() => opts.onChecked?.()),
      synced,
    ]);
    if (checked.status === "rejected") throw checked.reason;
    if (flushed.status === "rejected") throw flushed.reason;
    checkAborted(opts.signal);
    await ctx.ingest(file);
  } finally {
    // A failure may leave a flush running on the file: it ends before the file goes.
    await ahead.finish().catch(() => {});
    await fs.remove(tmp, { recursive: true });
  }
}
