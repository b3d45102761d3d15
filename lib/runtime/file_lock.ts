/**
 * A lock file shared between processes (and hosts, over a network file system), over `node:fs`;
 * the protocol is in _lock_protocol.ts.
 *
 * @module
 */
import * as fsp from "node:fs/promises";
import { hostname } from "node:os";
import process from "node:process";
import { clearInterval, setInterval } from "node:timers";
import type { FileLock, LockOptions } from "../content/fs.ts";
import { type LockOps, lockWith } from "./_lock_protocol.ts";

export { STALE_AFTER_MS } from "./_lock_protocol.ts";

const nodeLockOps: LockOps = {
  pid: process.pid,
  hostname,
  createNew: (path, text) => fsp.writeFile(path, text, { mode: 0o644, flag: "wx" }),
  link: (existing, path) => fsp.link(existing, path),
  remove: (path) => fsp.rm(path, { force: true }),
  async read(path) {
    const [text, st] = await Promise.all([fsp.readFile(path, "utf8"), fsp.stat(path)]);
    return { text, mtimeMs: st.mtimeMs };
  },
  touch(path) {
    const now = new Date();
    return fsp.utimes(path, now, now);
  },
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};

/**
 * Takes the lock file `path`, waiting for another holder up to `opts.waitMs`.
 *
 * @example Serialise writers of one directory
 * ```ts
 * import { lockFile } from "./file_lock.ts";
 * const dir = await Deno.makeTempDir();
 * const lock = await lockFile(`${dir}/.lock`);
 * try {
 *   // ... write under the lock ...
 * } finally {
 *   await lock.release();
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 * @param path The lock file.
 * @param opts Longest wait and cancellation.
 * @returns The held lock.
 * @throws {LockedError} ERR_LOCKED when another process still holds it after `waitMs`.
 * @throws {AbortedError} ERR_ABORTED when the signal fires while waiting.
 */
export function lockFile(path: string, opts: LockOptions = {}): Promise<FileLock> {
  return lockWith(nodeLockOps, path, opts);
}
