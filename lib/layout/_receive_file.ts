/**
 * Private: a blob received as a file ({@linkcode FileReceiver.receiveFile} of a layout
 * directory). The runtime writes the unverified bytes to a temporary file natively; the file is
 * then read back (from the page cache, in large reads) against the digest and size, and only a
 * file that matches is moved into `blobs/`. Whatever fails, the temporary directory goes.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { ReceiveFileOptions } from "../content/blob_abilities.ts";
import { handleStream } from "../content/file_stream.ts";
import type { Fs } from "../content/fs.ts";
import { checkAborted } from "../content/_streams.ts";
import { parseDigest } from "../digest/digest.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { verifyStream } from "../digest/verify_stream.ts";
import { DigestMismatchError, SizeMismatchError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";

/** How often the growing file is measured, for progress and the source's idle timeout. */
const POLL_MS = 200;

/** Reports the size of the file at `path` every {@linkcode POLL_MS} while it grows. */
function watchGrowth(fs: Fs, path: string, onWritten: (bytes: number) => void): () => void {
  let last = -1;
  let busy = false;
  let stopped = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    fs.stat(path).then((st) => {
      if (!stopped && st !== undefined && st.size !== last) {
        last = st.size;
        onWritten(st.size);
      }
    }, () => {}).finally(() => busy = false);
  }, POLL_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/**
 * Reads the file at `path` back and throws unless it is `desc`'s bytes: through the file
 * system's `scanFile` (one reused buffer) where it has one, else through a verifying stream.
 */
async function checkFile(fs: Fs, path: string, desc: Descriptor, hasherFactory: HasherFactory) {
  if (fs.scanFile === undefined) {
    const reader = verifyStream(handleStream(await fs.open(path)), desc, hasherFactory)
      .getReader();
    while (!(await reader.read()).done);
    return;
  }
  const { algorithm, hex } = parseDigest(desc.digest);
  const hasher = hasherFactory(algorithm);
  const size = await fs.scanFile(path, (chunk) => hasher.update(chunk));
  if (size !== desc.size) throw new SizeMismatchError(desc.digest, desc.size, size);
  const actual = hasher.digestHex();
  if (actual !== hex) throw new DigestMismatchError(desc.digest, `${algorithm}:${actual}`);
}

/** Where and how a layout directory keeps a received file. */
export interface ReceiveContext {
  /** The layout's file system. */
  fs: Fs;
  /** Its native `writeBodyFile`. */
  write: NonNullable<Fs["writeBodyFile"]>;
  /** The layout directory (the temporary file goes inside it, on the same file system). */
  root: string;
  /** Hashes the file. */
  hasher: HasherFactory;
  /** Moves the verified file into place. */
  ingest: (path: string) => Promise<void>;
}

/**
 * Writes `body` to a temporary file in the layout, checks it against `desc`, then ingests it.
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
  try {
    const file = `${tmp}/blob`;
    const stop = opts.onWritten === undefined ? () => {} : watchGrowth(fs, file, opts.onWritten);
    try {
      await ctx.write(file, body);
    } finally {
      stop();
    }
    opts.onReceived?.();
    checkAborted(opts.signal);
    // The flush (waiting on the disk) and the check (on the CPU) run at once.
    const [synced, checked] = await Promise.allSettled([
      fs.syncFile?.(file),
      checkFile(fs, file, desc, ctx.hasher),
    ]);
    if (checked.status === "rejected") throw checked.reason;
    if (synced.status === "rejected") throw synced.reason;
    opts.onWritten?.(desc.size);
    checkAborted(opts.signal);
    await ctx.ingest(file);
  } finally {
    await fs.remove(tmp, { recursive: true });
  }
}
