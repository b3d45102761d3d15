/**
 * The {@linkcode Fs} interface implemented with `node:fs/promises`, which Deno 2, Bun and Node
 * all provide.
 *
 * @module
 */
import * as fsp from "node:fs/promises";
import { dirname, join } from "node:path";
import process from "node:process";
import type { Bytes } from "../_internal/bytes.ts";
import type {
  DirEntry,
  FileHandle,
  FileInfo,
  FileLock,
  Fs,
  LockOptions,
  ScanFileOptions,
  WriteOptions,
} from "../content/fs.ts";
import { AbortedError, SizeExceededError } from "../errors.ts";
import { lockFile } from "./file_lock.ts";
import { isErrno, mapError } from "./_fs_errors.ts";
import { nativeBodyFileWriter } from "./native_body_file.ts";
import { hashGrowingFile } from "./_hash_growing_file.ts";
import { scanFile } from "./_scan_file.ts";
import { checkRegular, dirEntry, fileInfo, READ_FLAGS } from "./_node_files.ts";

const CHUNK = 256 * 1024;

/**
 * Opens for reading without blocking on a FIFO (or a device that waits for a peer), then
 * refuses anything but a regular file. `O_NONBLOCK` does not change reads of regular files.
 */
async function openRegular(path: string, what: string): Promise<fsp.FileHandle> {
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, READ_FLAGS);
  } catch (err) {
    throw mapError(err, what, path);
  }
  try {
    checkRegular(await handle.stat(), what, path);
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

let defaultMode: number | undefined;

/**
 * `0o644` less the process's umask: the mode a plain new file gets. Deno asks for the whole
 * `--allow-sys` to read the umask; without it the usual `022` is assumed.
 */
function newFileMode(): number {
  defaultMode ??= 0o644 & ~processUmask();
  return defaultMode;
}

function processUmask(): number {
  try {
    return process.umask();
  } catch {
    return 0o022;
  }
}

function randomSuffix(): string {
  const b = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

async function readExact(
  handle: fsp.FileHandle,
  offset: number,
  length: number,
): Promise<Bytes> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? out : out.slice(0, done);
}

class NodeFileHandle implements FileHandle {
  readonly size: number;
  #handle: fsp.FileHandle;
  #closed = false;

  constructor(handle: fsp.FileHandle, size: number) {
    this.#handle = handle;
    this.size = size;
  }

  read(offset: number, length: number): Promise<Bytes> {
    if (this.#closed) {
      return Promise.reject(new TypeError("Cannot read: the file handle is closed"));
    }
    const len = Math.max(0, Math.min(length, this.size - offset));
    return readExact(this.#handle, offset, len);
  }

  stream(offset = 0, length?: number): ReadableStream<Bytes> {
    const end = length === undefined ? this.size : Math.min(this.size, offset + length);
    let pos = offset;
    const handle = this.#handle;
    return new ReadableStream({
      type: "bytes",
      async pull(controller: ReadableByteStreamController): Promise<void> {
        const request = controller.byobRequest;
        if (pos >= end) {
          controller.close();
          request?.respond(0);
          return;
        }
        if (request?.view) {
          // A BYOB reader brought its own buffer: read straight into it, allocating nothing.
          const v = request.view;
          const view = new Uint8Array(v.buffer, v.byteOffset, Math.min(v.byteLength, end - pos));
          const { bytesRead } = await handle.read(view, 0, view.length, pos);
          if (bytesRead === 0) {
            controller.close();
            request.respond(0);
            return;
          }
          pos += bytesRead;
          request.respond(bytesRead);
          return;
        }
        const chunk = await readExact(handle, pos, Math.min(CHUNK, end - pos));
        if (chunk.length === 0) {
          controller.close();
          return;
        }
        pos += chunk.length;
        controller.enqueue(chunk);
      },
    }) as ReadableStream<Bytes>;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#handle.close();
  }
}

/** Small chunks (network bodies come in 16–64 KiB pieces) are gathered to this size per write. */
const WRITE_BATCH = 1024 * 1024;

async function writeBytes(handle: fsp.FileHandle, data: Uint8Array): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done);
    done += bytesWritten;
  }
}

async function writeAll(
  handle: fsp.FileHandle,
  data: Uint8Array | ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (data instanceof Uint8Array) {
    signal?.throwIfAborted();
    await writeBytes(handle, data);
    return;
  }
  const reader = data.getReader();
  const batch = new Uint8Array(WRITE_BATCH);
  let batched = 0;
  try {
    for (;;) {
      if (signal?.aborted) throw new AbortedError("The file write was aborted");
      const { done, value } = await reader.read();
      if (done) break;
      if (batched + value.length > WRITE_BATCH && batched > 0) {
        await writeBytes(handle, batch.subarray(0, batched));
        batched = 0;
      }
      if (value.length >= WRITE_BATCH) await writeBytes(handle, value);
      else {
        batch.set(value, batched);
        batched += value.length;
      }
    }
    if (batched > 0) await writeBytes(handle, batch.subarray(0, batched));
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
}

/**
 * Gives the written file its final mode: the one asked for, else a plain new file's. File
 * systems without modes (FAT) refuse chmod; only an explicitly requested mode must then fail.
 */
async function setMode(handle: fsp.FileHandle, mode: number | undefined): Promise<void> {
  try {
    await handle.chmod(mode ?? newFileMode());
  } catch (err) {
    if (mode !== undefined || !(isErrno(err, "EPERM") || isErrno(err, "ENOTSUP"))) throw err;
  }
}

async function chownBestEffort(
  handle: fsp.FileHandle,
  owner: { uid: number; gid: number },
): Promise<void> {
  try {
    await handle.chown(owner.uid, owner.gid);
  } catch (err) {
    // Only a privileged process may give a file away; the file then stays the caller's.
    if (!isErrno(err, "EPERM") && !isErrno(err, "EINVAL")) throw err;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // Best effort: makes the rename durable; some platforms cannot open or sync directories.
  try {
    const h = await fsp.open(dir, "r");
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Not fatal: the file itself was flushed before the rename.
  }
}

/**
 * An {@linkcode Fs} over `node:fs/promises`: atomic writes (temporary file in the same
 * directory, fsync, rename), streamed reads and writes, permission modes, and `ENOENT` mapped to
 * {@linkcode NotFoundError}. Works under Deno, Bun and Node.
 *
 * @example Write atomically and read back
 * ```ts
 * import { nodeFs } from "./node_fs.ts";
 * const dir = await Deno.makeTempDir();
 * await nodeFs.writeFileAtomic(`${dir}/a.txt`, new TextEncoder().encode("hi"), { mode: 0o600 });
 * console.log(new TextDecoder().decode(await nodeFs.readFile(`${dir}/a.txt`))); // "hi"
 * await nodeFs.remove(dir, { recursive: true });
 * ```
 */
export const nodeFs: Fs = {
  async readFile(path: string, opts: { maxBytes?: number } = {}): Promise<Bytes> {
    const handle = await openRegular(path, "read");
    try {
      const st = await handle.stat();
      if (opts.maxBytes !== undefined && st.size > opts.maxBytes) {
        throw new SizeExceededError(`File ${path}`, st.size, opts.maxBytes);
      }
      const data = await readExact(handle, 0, st.size);
      if (opts.maxBytes !== undefined && data.length > opts.maxBytes) {
        throw new SizeExceededError(`File ${path}`, data.length, opts.maxBytes);
      }
      return data;
    } finally {
      await handle.close();
    }
  },

  async open(path: string): Promise<FileHandle> {
    const handle = await openRegular(path, "open");
    try {
      const st = await handle.stat();
      return new NodeFileHandle(handle, st.size);
    } catch (err) {
      await handle.close();
      throw err;
    }
  },

  async serverStream(path: string, size: number): Promise<ReadableStream<Bytes> | undefined> {
    // Deno's server sends a file's own `readable` from Rust, with no JavaScript per chunk; Bun
    // reads a `Bun.file` natively. A node:fs handle stream costs a promise turn, a fresh zeroed
    // buffer and a copy per chunk (about a fifth of the server's CPU on a pull).
    const deno = (globalThis as { Deno?: typeof Deno }).Deno;
    const bun = (globalThis as { Bun?: { file(path: string): Blob } }).Bun;
    if (deno === undefined && bun !== undefined) {
      const st = await fsp.stat(path).catch(() => undefined);
      if (st === undefined || !st.isFile() || st.size !== size) return undefined;
      return bun.file(path).stream() as ReadableStream<Bytes>;
    }
    if (deno === undefined) return undefined;
    // Checked before opening, so a FIFO or device is not opened (that would wait for a peer).
    const before = await deno.stat(path).catch(() => undefined);
    if (before === undefined || !before.isFile || before.size !== size) return undefined;
    const file = await deno.open(path, { read: true }).catch(() => undefined);
    if (file === undefined) return undefined;
    try {
      const st = await file.stat();
      if (st.isFile && st.size === size) return file.readable as ReadableStream<Bytes>;
    } catch {
      // fall through: the caller reads the file the ordinary way and reports what is wrong
    }
    file.close();
    return undefined;
  },

  async writeFileAtomic(
    path: string,
    data: Uint8Array | ReadableStream<Uint8Array>,
    opts: WriteOptions = {},
  ): Promise<void> {
    const dir = dirname(path);
    const tmp = join(dir, `.tmp-${randomSuffix()}`);
    let handle: fsp.FileHandle;
    try {
      // Private while it is written; the final mode is set once the content is complete.
      handle = await fsp.open(tmp, "wx", 0o600);
    } catch (err) {
      throw mapError(err, "write", path);
    }
    try {
      try {
        await writeAll(handle, data, opts.signal);
        if (opts.owner) await chownBestEffort(handle, opts.owner);
        await setMode(handle, opts.mode);
        if (opts.durable !== false) await handle.sync();
      } finally {
        await handle.close();
      }
      if (opts.signal?.aborted) throw new AbortedError("The file write was aborted");
      await fsp.rename(tmp, path);
    } catch (err) {
      await fsp.rm(tmp, { force: true }).catch(() => {});
      throw mapError(err, "write", path);
    }
    if (opts.durable !== false) await fsyncDir(dir);
  },

  async mkdir(path: string, opts: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    try {
      await fsp.mkdir(path, { recursive: opts.recursive ?? false, mode: opts.mode ?? 0o755 });
    } catch (err) {
      if (isErrno(err, "EEXIST")) {
        const st = await fsp.stat(path);
        if (st.isDirectory()) return;
      }
      throw mapError(err, "create directory", path);
    }
  },

  async readDir(path: string): Promise<DirEntry[]> {
    try {
      return (await fsp.readdir(path, { withFileTypes: true })).map(dirEntry);
    } catch (err) {
      throw mapError(err, "list", path);
    }
  },

  async stat(path: string): Promise<FileInfo | undefined> {
    try {
      return fileInfo(await fsp.lstat(path));
    } catch (err) {
      if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return undefined;
      throw mapError(err, "inspect", path);
    }
  },

  async readLink(path: string): Promise<string> {
    try {
      return await fsp.readlink(path);
    } catch (err) {
      throw mapError(err, "read link", path);
    }
  },

  async realPath(path: string): Promise<string> {
    try {
      return await fsp.realpath(path);
    } catch (err) {
      throw mapError(err, "resolve", path);
    }
  },

  async lock(path: string, opts: LockOptions = {}): Promise<FileLock> {
    try {
      return await lockFile(path, opts);
    } catch (err) {
      throw mapError(err, "lock", path);
    }
  },

  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    try {
      await fsp.rm(path, { recursive: opts.recursive ?? false, force: true });
    } catch (err) {
      if (isErrno(err, "ENOENT")) return;
      throw mapError(err, "remove", path);
    }
  },

  async rename(from: string, to: string): Promise<void> {
    try {
      await fsp.rename(from, to);
    } catch (err) {
      throw mapError(err, "rename", from);
    }
  },

  async makeTempDir(near: string, prefix = ".ocisign-"): Promise<string> {
    try {
      return await fsp.mkdtemp(join(near, prefix));
    } catch (err) {
      throw mapError(err, "create a temporary directory in", near);
    }
  },

  writeBodyFile: nativeBodyFileWriter(mapError, newFileMode),

  scanFile(path: string, onChunk: (chunk: Bytes) => void, opts: ScanFileOptions = {}) {
    return scanFile(
      path,
      onChunk,
      opts,
      (p) => openRegular(p, "read"),
      (err) => mapError(err, "read", path),
    );
  },

  hashGrowingFile,

  async syncFile(path: string): Promise<void> {
    const handle = await openRegular(path, "flush");
    try {
      await handle.datasync();
    } catch (err) {
      throw mapError(err, "flush", path);
    } finally {
      await handle.close();
    }
  },
};
