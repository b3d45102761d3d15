/**
 * Private: {@linkcode Fs.scanFile} of `nodeFs`. Reads a file in large reads into one reused
 * buffer; given a `growing` promise (a write still running), it follows the file as it grows,
 * waiting a little at its current end, until the write has settled and every byte is read.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { ScanFileOptions } from "../content/fs.ts";

/** Bytes read at once: few, large reads into one buffer. */
const SCAN_BYTES = 1024 * 1024;
/** How long a scan that caught up with a write waits before it reads again. */
const FOLLOW_MS = 5;

/** Whether `growing` has settled, and a short wait that ends early when it does. */
function follower(growing: Promise<unknown> | undefined) {
  let settled = growing === undefined;
  const ended = (growing ?? Promise.resolve()).then(() => {
    settled = true;
  }, () => {
    settled = true;
  });
  return {
    settled: () => settled,
    pause: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, FOLLOW_MS);
        ended.then(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

/** What a scan reads through: a `node:fs/promises` file handle, or the like. */
export interface ScanHandle {
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}

function isMissing(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === "ENOENT";
}

/**
 * Scans the file at `path` (see {@linkcode Fs.scanFile}).
 * @param open Opens a regular file for reading (refusing anything else), with typed errors.
 * @param mapError Turns a read error into the typed error the `Fs` reports.
 */
export async function scanFile(
  path: string,
  onChunk: (chunk: Bytes) => void,
  opts: ScanFileOptions,
  open: (path: string) => Promise<ScanHandle>,
  mapError: (err: unknown) => unknown,
): Promise<number> {
  const follow = follower(opts.growing);
  let handle: ScanHandle;
  for (;;) {
    // The writer may not have created the file yet.
    const settled = follow.settled();
    try {
      handle = await open(path);
      break;
    } catch (err) {
      if (settled || !isMissing((err as { cause?: unknown }).cause ?? err)) throw err;
      await follow.pause();
    }
  }
  try {
    const buffer = new Uint8Array(SCAN_BYTES);
    let total = 0;
    for (;;) {
      // Taken before the read: an end of file after the write settled is the end.
      const settled = follow.settled();
      const { bytesRead } = await handle.read(buffer, 0, SCAN_BYTES, total);
      if (bytesRead > 0) {
        total += bytesRead;
        onChunk(buffer.subarray(0, bytesRead));
      } else if (settled) {
        return total;
      } else {
        await follow.pause();
      }
    }
  } catch (err) {
    throw mapError(err);
  } finally {
    await handle.close();
  }
}
