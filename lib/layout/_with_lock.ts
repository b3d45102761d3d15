/**
 * Runs a layout write under the layout's lock file, so writers in other processes (another
 * `ocisign sign`, `cp`, `serve`) take turns.
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import type { Op } from "../content/storage.ts";

/**
 * Takes the lock file `lockPath`, runs `fn`, releases the lock. A release that finds the lock
 * taken over fails the write, so no success is reported for a write that may not have stuck.
 */
export async function withLock<T>(
  fs: Fs,
  lockPath: string,
  opts: Op,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await fs.lock(lockPath, opts.signal ? { signal: opts.signal } : {});
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await lock.release().catch(() => {});
    throw err;
  }
  await lock.release();
  return result;
}
