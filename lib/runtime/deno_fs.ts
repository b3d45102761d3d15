/**
 * The {@linkcode Fs} interface over Deno's own file system API, so that under `deno run` the
 * read, verify and sign paths load no `node:` module (Deno sets Node compatibility up on the
 * first one, about 15 ms of every start). The optional members it does not do itself (the
 * server's file streams) go to `nodeFs`, loaded on first use.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { DirEntry, FileHandle, FileInfo, Fs, WriteOptions } from "../content/fs.ts";
import { AbortedError, InvalidInputError, SizeExceededError } from "../errors.ts";
import { isErrno, mapError } from "./_fs_errors.ts";
import { hashGrowingFile } from "./_hash_growing_file.ts";
import { nativeBodyFileWriter } from "./native_body_file.ts";
import { viaNodeFs } from "./_via_node_fs.ts";

const CHUNK = 256 * 1024;

function fileKind(st: Deno.FileInfo): string {
  if (st.isDirectory) return "directory";
  if (st.isFifo) return "FIFO";
  if (st.isSocket) return "socket";
  return "device or special file";
}

/** How many times a regular file replaced while it was opened is opened again. */
const OPEN_ATTEMPTS = 3;

/**
 * Opens a regular file for reading. Deno has no `O_NONBLOCK`, so the path is checked before it
 * is opened (a FIFO or device is never opened: that would wait for a peer) and the open file is
 * checked to be the same regular file. A regular file replaced in between (an atomic write by
 * another process, such as a `sign` of the same layout tar) is opened again, a few times.
 */
async function openRegular(path: string, what: string): Promise<[Deno.FsFile, Deno.FileInfo]> {
  for (let attempt = 1;; attempt++) {
    let before: Deno.FileInfo;
    let file: Deno.FsFile;
    try {
      before = await Deno.stat(path);
      if (!before.isFile) {
        throw new InvalidInputError(
          `Cannot ${what} ${path}: not a regular file (a ${fileKind(before)}); give a regular file`,
        );
      }
      file = await Deno.open(path, { read: true });
    } catch (err) {
      throw mapError(err, what, path);
    }
    let st: Deno.FileInfo;
    try {
      st = await file.stat();
    } catch (err) {
      file.close();
      throw mapError(err, what, path);
    }
    if (st.isFile && st.ino === before.ino && st.dev === before.dev) return [file, st];
    file.close();
    if (!st.isFile || attempt >= OPEN_ATTEMPTS) {
      throw new InvalidInputError(
        `Cannot ${what} ${path}: it changed while it was opened; run again`,
      );
    }
  }
}

/** Reads into `into` from `offset`: the count read, 0 at end of file. */
async function readInto(file: Deno.FsFile, offset: number, into: Uint8Array): Promise<number> {
  await file.seek(offset, Deno.SeekMode.Start);
  return (await file.read(into)) ?? 0;
}

/** Reads `length` bytes at `offset` (fewer only at end of file). */
async function readAt(file: Deno.FsFile, offset: number, length: number): Promise<Bytes> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const n = await readInto(file, offset + done, out.subarray(done));
    if (n === 0) break;
    done += n;
  }
  return done === length ? out : out.slice(0, done);
}

/**
 * A Deno file. A read is a seek then a read, so reads run one at a time (a queue), whoever asks
 * (reads and streams of one handle may interleave).
 */
class DenoFileHandle implements FileHandle {
  readonly size: number;
  #file: Deno.FsFile;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(file: Deno.FsFile, size: number) {
    this.#file = file;
    this.size = size;
  }

  #queued<T>(op: (file: Deno.FsFile) => Promise<T>): Promise<T> {
    const next = this.#queue.then(() => {
      if (this.#closed) throw new TypeError("Cannot read: the file handle is closed");
      return op(this.#file);
    });
    this.#queue = next.catch(() => {});
    return next;
  }

  read(offset: number, length: number): Promise<Bytes> {
    const len = Math.max(0, Math.min(length, this.size - offset));
    return this.#queued((file) => readAt(file, offset, len));
  }

  stream(offset = 0, length?: number): ReadableStream<Bytes> {
    const end = length === undefined ? this.size : Math.min(this.size, offset + length);
    let pos = offset;
    return new ReadableStream({
      type: "bytes",
      pull: async (controller: ReadableByteStreamController): Promise<void> => {
        const request = controller.byobRequest;
        const v = request?.view;
        // A BYOB reader brought its own buffer: read straight into it.
        const into = v
          ? new Uint8Array(v.buffer, v.byteOffset, Math.min(v.byteLength, end - pos))
          : new Uint8Array(Math.min(CHUNK, end - pos));
        const n = into.length === 0 ? 0 : await this.#queued((file) => readInto(file, pos, into));
        if (n === 0) {
          controller.close();
          request?.respond(0);
          return;
        }
        pos += n;
        if (request) request.respond(n);
        else controller.enqueue(n === into.length ? into : into.slice(0, n));
      },
    }) as ReadableStream<Bytes>;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue;
    this.#file.close();
  }
}

let defaultMode: number | undefined;

/**
 * Creates `path` for writing, private (`0o600`). The first time, it is created `0o644` less the
 * umask and its mode read back: the mode a plain new file gets (Deno's own `umask()` is
 * unstable, Node's asks for `--allow-sys`), then made private before anything is written.
 */
async function createPrivate(path: string): Promise<Deno.FsFile> {
  if (defaultMode !== undefined) {
    return await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  }
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o644 });
  try {
    const mode = (await file.stat()).mode;
    await Deno.chmod(path, 0o600);
    defaultMode ??= mode === null ? 0o644 : mode & 0o777;
    return file;
  } catch (err) {
    file.close();
    throw err;
  }
}

/** Gives the written file its final mode (see node_fs.ts's `setMode`). */
async function setMode(path: string, mode: number | undefined): Promise<void> {
  if (Deno.build.os === "windows") return;
  try {
    await Deno.chmod(path, mode ?? defaultMode ?? 0o644);
  } catch (err) {
    if (mode !== undefined || !(isErrno(err, "EPERM") || isErrno(err, "ENOTSUP"))) throw err;
  }
}

async function chownBestEffort(path: string, owner: { uid: number; gid: number }): Promise<void> {
  try {
    await Deno.chown(path, owner.uid, owner.gid);
  } catch (err) {
    // Only a privileged process may give a file away; the file then stays the caller's.
    if (!isErrno(err, "EPERM") && !isErrno(err, "EINVAL")) throw err;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // Best effort: makes the rename durable; some platforms cannot open or sync directories.
  try {
    using d = await Deno.open(dir, { read: true });
    await d.sync();
  } catch {
    // Not fatal: the file itself was flushed before the rename.
  }
}

function dirOf(path: string): string {
  const at = Math.max(
    path.lastIndexOf("/"),
    Deno.build.os === "windows" ? path.lastIndexOf("\\") : -1,
  );
  return at < 0 ? "." : at === 0 ? "/" : path.slice(0, at);
}

function randomSuffix(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(6)),
    (x) => x.toString(16).padStart(2, "0"),
  )
    .join("");
}

async function writeBytes(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  for (let done = 0; done < data.length;) done += await file.write(data.subarray(done));
}

async function writeAll(
  file: Deno.FsFile,
  data: Uint8Array | ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (data instanceof Uint8Array) {
    if (signal?.aborted) throw new AbortedError("The file write was aborted");
    return await writeBytes(file, data);
  }
  const reader = data.getReader();
  try {
    for (;;) {
      if (signal?.aborted) throw new AbortedError("The file write was aborted");
      const { done, value } = await reader.read();
      if (done) break;
      await writeBytes(file, value);
    }
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
  }
}

/** Writes a file atomically: private temporary file, flushed, renamed over `path`. */
async function writeFileAtomic(
  path: string,
  data: Uint8Array | ReadableStream<Uint8Array>,
  opts: WriteOptions,
): Promise<void> {
  const dir = dirOf(path);
  const tmp = `${dir}/.tmp-${randomSuffix()}`;
  let file: Deno.FsFile;
  try {
    file = await createPrivate(tmp);
  } catch (err) {
    throw mapError(err, "write", path);
  }
  try {
    try {
      await writeAll(file, data, opts.signal);
      if (opts.owner) await chownBestEffort(tmp, opts.owner);
      await setMode(tmp, opts.mode);
      if (opts.durable !== false) await file.sync();
    } finally {
      file.close();
    }
    if (opts.signal?.aborted) throw new AbortedError("The file write was aborted");
    await Deno.rename(tmp, path);
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw mapError(err, "write", path);
  }
  if (opts.durable !== false) await fsyncDir(dir);
}

function fileInfo(st: Deno.FileInfo): FileInfo {
  return {
    size: st.size,
    isFile: st.isFile,
    isDirectory: st.isDirectory,
    isSymlink: st.isSymlink,
    mode: (st.mode ?? 0) & 0o7777,
    mtime: st.mtime ?? new Date(0),
    ...(st.dev === null ? {} : { dev: st.dev }),
    ...(st.ino === null ? {} : { ino: st.ino }),
    ...(st.nlink === null ? {} : { nlink: st.nlink }),
    ...(st.uid === null ? {} : { uid: st.uid }),
    ...(st.gid === null ? {} : { gid: st.gid }),
  };
}

/**
 * An {@linkcode Fs} over Deno's file system API, with the same behaviour as {@linkcode nodeFs}
 * (atomic writes, modes, refusal of anything but regular files, `ENOENT` as
 * {@linkcode NotFoundError}) and no `node:` module loaded for reads, writes and locks. The
 * optional members go to `nodeFs`, loaded on first use.
 *
 * Every member of `Fs` is here (its type is `Required<Fs>`): a member added to `Fs` makes this
 * file fail to type-check until it is implemented or passed on with `viaNodeFs("name")`, which
 * answers what `nodeFs` answers (`undefined` where `nodeFs` lacks it).
 *
 * @example Write atomically and read back under Deno
 * ```ts
 * import { denoFs } from "./deno_fs.ts";
 * const dir = await Deno.makeTempDir();
 * await denoFs.writeFileAtomic(`${dir}/a.txt`, new TextEncoder().encode("hi"), { mode: 0o600 });
 * console.log(new TextDecoder().decode(await denoFs.readFile(`${dir}/a.txt`))); // "hi"
 * await denoFs.remove(dir, { recursive: true });
 * ```
 */
export const denoFs: Required<Fs> = {
  async readFile(path: string, opts: { maxBytes?: number } = {}): Promise<Bytes> {
    const [file, st] = await openRegular(path, "read");
    try {
      if (opts.maxBytes !== undefined && st.size > opts.maxBytes) {
        throw new SizeExceededError(`File ${path}`, st.size, opts.maxBytes);
      }
      return await readAt(file, 0, st.size);
    } finally {
      file.close();
    }
  },

  async open(path: string): Promise<FileHandle> {
    const [file, st] = await openRegular(path, "open");
    return new DenoFileHandle(file, st.size);
  },

  serverStream: viaNodeFs("serverStream"),

  writeFileAtomic(
    path: string,
    data: Uint8Array | ReadableStream<Uint8Array>,
    opts: WriteOptions = {},
  ): Promise<void> {
    return writeFileAtomic(path, data, opts);
  },

  async mkdir(path: string, opts: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    try {
      await Deno.mkdir(path, { recursive: opts.recursive ?? false, mode: opts.mode ?? 0o755 });
    } catch (err) {
      if (isErrno(err, "EEXIST")) {
        const st = await Deno.stat(path);
        if (st.isDirectory) return;
      }
      throw mapError(err, "create directory", path);
    }
  },

  async readDir(path: string): Promise<DirEntry[]> {
    try {
      const entries: DirEntry[] = [];
      for await (const e of Deno.readDir(path)) {
        entries.push({
          name: e.name,
          isFile: e.isFile,
          isDirectory: e.isDirectory,
          isSymlink: e.isSymlink,
        });
      }
      return entries;
    } catch (err) {
      throw mapError(err, "list", path);
    }
  },

  async stat(path: string): Promise<FileInfo | undefined> {
    try {
      return fileInfo(await Deno.lstat(path));
    } catch (err) {
      if (isErrno(err, "ENOENT") || isErrno(err, "ENOTDIR")) return undefined;
      throw mapError(err, "inspect", path);
    }
  },

  async readLink(path: string): Promise<string> {
    try {
      return await Deno.readLink(path);
    } catch (err) {
      throw mapError(err, "read link", path);
    }
  },

  async realPath(path: string): Promise<string> {
    try {
      return await Deno.realPath(path);
    } catch (err) {
      throw mapError(err, "resolve", path);
    }
  },

  async lock(path, opts = {}) {
    // Loaded when a lock is taken (writes), not for reads (`+ ""`: see
    // ../cli/commands/registry.ts).
    const [{ lockWith }, { denoLockOps }] = await Promise.all([
      import("./_lock_protocol.ts" + "") as Promise<typeof import("./_lock_protocol.ts")>,
      import("./_deno_lock_ops.ts" + "") as Promise<typeof import("./_deno_lock_ops.ts")>,
    ]);
    try {
      return await lockWith(denoLockOps, path, opts);
    } catch (err) {
      throw mapError(err, "lock", path);
    }
  },

  async remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    try {
      await Deno.remove(path, { recursive: opts.recursive ?? false });
    } catch (err) {
      if (isErrno(err, "ENOENT")) return;
      throw mapError(err, "remove", path);
    }
  },

  async rename(from: string, to: string): Promise<void> {
    try {
      await Deno.rename(from, to);
    } catch (err) {
      throw mapError(err, "rename", from);
    }
  },

  async makeTempDir(near: string, prefix = ".ocisign-"): Promise<string> {
    try {
      return await Deno.makeTempDir({ dir: near, prefix });
    } catch (err) {
      throw mapError(err, "create a temporary directory in", near);
    }
  },

  // Deno's own API, so that a pull loads no `node:` module on this thread (about 20 ms).
  writeBodyFile: nativeBodyFileWriter(mapError, () => 0o644)!,
  scanFile: viaNodeFs("scanFile"),
  // Deno's fetch receives on this thread: the growing file is hashed on the hashing thread.
  hashGrowingFile,

  async syncFile(path: string): Promise<void> {
    const [file] = await openRegular(path, "flush");
    try {
      await file.syncData();
    } catch (err) {
      throw mapError(err, "flush", path);
    } finally {
      file.close();
    }
  },
};
