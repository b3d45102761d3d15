/**
 * The {@linkcode Fs} of Bun (the compiled binary): `nodeFs`, with metadata and small files read by
 * synchronous `node:fs` calls. Bun runs each `node:fs/promises` call on a worker thread and wakes
 * the main thread when it is done: reading one small blob (lstat, open, fstat, read, close) is
 * five such round trips, each a few microseconds of work and a thread hand-off that on a busy
 * machine waits for a core. The same calls made synchronously take microseconds on a local disk;
 * verify of a small layout makes about fifty of them. Larger files (over 256 KiB) and every write
 * go through `nodeFs`, loaded on first use.
 *
 * @module
 */
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync } from "node:fs";
import type { Bytes } from "../_internal/bytes.ts";
import { bytesFileHandle } from "../content/_bytes_file_handle.ts";
import type { DirEntry, FileHandle, FileInfo, Fs } from "../content/fs.ts";
import { SizeExceededError } from "../errors.ts";
import { isErrno, mapError } from "./_fs_errors.ts";
import { checkRegular, dirEntry, fileInfo, READ_FLAGS } from "./_node_files.ts";
import { hashGrowingFile } from "./_hash_growing_file.ts";
import { loadNodeFs, viaNodeFs } from "./_via_node_fs.ts";

/** Files up to this size are read synchronously, whole (a blocking read of at most ~0.1 ms). */
const SMALL_FILE = 256 * 1024;

/**
 * Opens `path` as a regular file (without blocking on a FIFO) and reads it whole when it is at
 * most {@linkcode SMALL_FILE} bytes (and at most `maxBytes`); `undefined` for a larger file, to
 * be read through `nodeFs`.
 */
function readSmall(path: string, what: string, maxBytes?: number): Bytes | undefined {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (err) {
    throw mapError(err, what, path);
  }
  try {
    const st = fstatSync(fd);
    checkRegular(st, what, path);
    if (maxBytes !== undefined && st.size > maxBytes) {
      throw new SizeExceededError(`File ${path}`, st.size, maxBytes);
    }
    if (st.size > SMALL_FILE) return undefined;
    const out = new Uint8Array(st.size);
    let done = 0;
    while (done < out.length) {
      const n = readSync(fd, out, done, out.length - done, done);
      if (n === 0) break;
      done += n;
    }
    return done === out.length ? out : out.slice(0, done);
  } finally {
    closeSync(fd);
  }
}

/**
 * An {@linkcode Fs} for Bun: `stat`, `readDir` and the reads of files up to 256 KiB are
 * synchronous `node:fs` calls (no worker-thread round trip each); a small file opened with `open`
 * is read whole at once, so its handle holds no file descriptor. Everything else is `nodeFs`'s.
 * Like `denoFs`, every member of {@linkcode Fs} is here, so a new optional member makes this file
 * fail to type-check until it is implemented or passed on with `viaNodeFs("name")`.
 *
 * @example Write atomically and read back (it works under Deno too)
 * ```ts
 * import { bunFs } from "./bun_fs.ts";
 * const dir = await Deno.makeTempDir();
 * await bunFs.writeFileAtomic(`${dir}/a.txt`, new TextEncoder().encode("hi"), { mode: 0o600 });
 * console.log(new TextDecoder().decode(await bunFs.readFile(`${dir}/a.txt`))); // "hi"
 * await bunFs.remove(dir, { recursive: true });
 * ```
 */
export const bunFs: Required<Fs> = {
  async readFile(path: string, opts: { maxBytes?: number } = {}): Promise<Bytes> {
    return readSmall(path, "read", opts.maxBytes) ??
      await (await loadNodeFs()).readFile(path, opts);
  },

  async open(path: string): Promise<FileHandle> {
    const small = readSmall(path, "open");
    return small === undefined ? await (await loadNodeFs()).open(path) : bytesFileHandle(small);
  },

  stat(path: string): Promise<FileInfo | undefined> {
    try {
      const st = lstatSync(path, { throwIfNoEntry: false });
      return Promise.resolve(st === undefined ? undefined : fileInfo(st));
    } catch (err) {
      if (isErrno(err, "ENOTDIR")) return Promise.resolve(undefined);
      return Promise.reject(mapError(err, "inspect", path));
    }
  },

  readDir(path: string): Promise<DirEntry[]> {
    try {
      return Promise.resolve(readdirSync(path, { withFileTypes: true }).map(dirEntry));
    } catch (err) {
      return Promise.reject(mapError(err, "list", path));
    }
  },

  serverStream: viaNodeFs("serverStream"),
  writeFileAtomic: viaNodeFs("writeFileAtomic"),
  mkdir: viaNodeFs("mkdir"),
  readLink: viaNodeFs("readLink"),
  realPath: viaNodeFs("realPath"),
  lock: viaNodeFs("lock"),
  remove: viaNodeFs("remove"),
  rename: viaNodeFs("rename"),
  makeTempDir: viaNodeFs("makeTempDir"),
  writeBodyFile: viaNodeFs("writeBodyFile"),
  scanFile: viaNodeFs("scanFile"),
  // `Bun.write` writes on this thread: the growing file is hashed on the hashing thread.
  hashGrowingFile,
  syncFile: viaNodeFs("syncFile"),
};
