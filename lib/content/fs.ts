/**
 * The small file-system interface the core receives; `lib/runtime/` implements it with `node:fs`
 * (`nodeFs`: Deno, Bun and Node; `bunFs`: the same with small reads synchronous) and with Deno's
 * own API (`denoFs`). Paths are plain strings joined with `/`.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { DigestAlgorithm } from "../digest/digest.ts";

/** What `stat` reports. */
export interface FileInfo {
  /** Size in bytes. */
  size: number;
  /** Whether it is a regular file. */
  isFile: boolean;
  /** Whether it is a directory. */
  isDirectory: boolean;
  /** Whether it is a symbolic link (from `lstat`). */
  isSymlink: boolean;
  /** Permission bits (`0o644`), where the platform has them. */
  mode: number;
  /** Modification time. */
  mtime: Date;
  /** Device number, where the platform has it (with `ino`, identifies hard links). */
  dev?: number;
  /** Inode number, where the platform has it. */
  ino?: number;
  /** Number of hard links, where the platform has it. */
  nlink?: number;
  /** Owner's user id, where the platform has it. */
  uid?: number;
  /** Owner's group id, where the platform has it. */
  gid?: number;
}

/** A directory entry. */
export interface DirEntry {
  /** Entry name (no directory part). */
  name: string;
  /** Whether it is a regular file. */
  isFile: boolean;
  /** Whether it is a directory. */
  isDirectory: boolean;
  /** Whether it is a symbolic link. */
  isSymlink: boolean;
}

/** An open file for random-access reads (tar indexes, ranged blob reads). */
export interface FileHandle {
  /** Size at open time. */
  readonly size: number;
  /** Reads up to `length` bytes at `offset` (fewer only at end of file). */
  read(offset: number, length: number): Promise<Bytes>;
  /** Streams `length` bytes from `offset` (default: to the end). */
  stream(offset?: number, length?: number): ReadableStream<Bytes>;
  /** Releases the handle. */
  close(): Promise<void>;
}

/** Options for atomic writes. */
export interface WriteOptions {
  /**
   * Permission bits of the file once written (e.g. `0o600` for private keys); the temporary file
   * is `0o600` while it is written, whatever this says.
   */
  mode?: number;
  /** Owner to give the file (best effort: kept as is when the process may not change it). */
  owner?: { uid: number; gid: number };
  /** Cancels the write; the target is left as it was. */
  signal?: AbortSignal;
  /**
   * Flush the file to disk before renaming it (default true). `false` suits temporary files
   * that do not outlive the process, such as a spooled stdin.
   */
  durable?: boolean;
}

/** Options of {@linkcode Fs.lock}. */
export interface LockOptions {
  /** How long to wait for another holder, in milliseconds (default 120,000). */
  waitMs?: number;
  /** Cancels the wait. */
  signal?: AbortSignal;
}

/** A held lock file (see {@linkcode Fs.lock}). */
export interface FileLock {
  /** The lock file. */
  readonly path: string;
  /**
   * Releases the lock.
   * @throws {LockedError} ERR_LOCKED when the lock was taken over while held (what was written
   *   under it may have been overwritten).
   */
  release(): Promise<void>;
}

/** Options of {@linkcode Fs.scanFile}. */
export interface ScanFileOptions {
  /** A write of the file still running: the scan follows the file until it settles. */
  growing?: Promise<unknown>;
}

/** The file-system operations the core needs. */
export interface Fs {
  /**
   * Reads a whole file, refusing files larger than `maxBytes` when given. Never blocks on a FIFO,
   * socket or device: anything but a regular file is refused.
   * @throws {NotFoundError} ERR_NOT_FOUND when missing.
   * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when over `maxBytes`.
   * @throws {InvalidInputError} ERR_INVALID_INPUT when not a regular file.
   */
  readFile(path: string, opts?: { maxBytes?: number }): Promise<Bytes>;
  /**
   * Opens a file for random access; like `readFile`, refuses anything but a regular file without
   * blocking.
   * @throws {NotFoundError} ERR_NOT_FOUND when missing.
   * @throws {InvalidInputError} ERR_INVALID_INPUT when not a regular file.
   */
  open(path: string): Promise<FileHandle>;
  /**
   * Writes a file atomically: a temporary file in the same directory, flushed, then renamed
   * over `path`. An interrupted write leaves `path` as it was.
   */
  writeFileAtomic(
    path: string,
    data: Uint8Array | ReadableStream<Uint8Array>,
    opts?: WriteOptions,
  ): Promise<void>;
  /** Creates a directory (and its parents with `recursive`). No error when it exists. */
  mkdir(path: string, opts?: { recursive?: boolean; mode?: number }): Promise<void>;
  /**
   * Lists a directory.
   * @throws {NotFoundError} ERR_NOT_FOUND when missing.
   */
  readDir(path: string): Promise<DirEntry[]>;
  /** Describes a path without following a final symlink; `undefined` when it does not exist. */
  stat(path: string): Promise<FileInfo | undefined>;
  /** Reads a symlink's target. */
  readLink(path: string): Promise<string>;
  /**
   * The path with every symlink resolved (absolute).
   * @throws {NotFoundError} ERR_NOT_FOUND when it (or a link's target) does not exist.
   */
  realPath(path: string): Promise<string>;
  /**
   * Takes a lock shared with other processes: creates `path` exclusively, holding the owner's
   * process id, host name and time. A lock left by a process that is gone (same host) or not
   * refreshed for a long time is broken; otherwise the call waits, up to `waitMs`.
   * @throws {LockedError} ERR_LOCKED when still held after `waitMs` (the message names the lock
   *   file and its holder).
   */
  lock(path: string, opts?: LockOptions): Promise<FileLock>;
  /** Removes a file or (with `recursive`) a directory tree. No error when missing. */
  remove(path: string, opts?: { recursive?: boolean }): Promise<void>;
  /** Renames atomically within one file system. */
  rename(from: string, to: string): Promise<void>;
  /** Creates a fresh, empty temporary directory inside the directory `near` (same file system). */
  makeTempDir(near: string, prefix?: string): Promise<string>;
  /**
   * Optional: the whole regular file at `path` as a stream that owns its handle (closed at its
   * end or on cancel), read the runtime's cheapest way (Deno's server sends it without
   * JavaScript per chunk).
   * `undefined` when the runtime has no such stream or the file is not a regular file of `size`
   * bytes (then read it through {@linkcode Fs.open}, which says why).
   */
  serverStream?(path: string, size: number): Promise<ReadableStream<Bytes> | undefined>;
  /**
   * Optional: writes `body` to a new file at `path` (it must not exist; a plain new file's mode)
   * the runtime's native way, with no JavaScript per chunk. Resolves when the body ended and
   * every byte is written (not yet flushed: see {@linkcode Fs.syncFile}); rejects when the body
   * errors (its source cancelled it) or the write fails, leaving a partial file for the caller
   * to remove. Nothing is verified: the caller checks the file before trusting it. Absent when
   * the runtime has no such write. `opts.signal` stops the write.
   */
  writeBodyFile?(
    path: string,
    body: ReadableStream<Uint8Array>,
    opts?: { signal?: AbortSignal },
  ): Promise<void>;
  /**
   * Optional: reads the whole regular file at `path` in large reads into one reused buffer,
   * handing each filled part to `onChunk` (a view valid only until `onChunk` returns: hash it,
   * do not keep it). With `opts.growing` (a write of the file still running, such as
   * {@linkcode Fs.writeBodyFile}), follows the file as it grows until that promise settled and
   * the last byte is read. Resolves with the bytes read. Absent: read through
   * {@linkcode Fs.open}.
   * @throws {NotFoundError} ERR_NOT_FOUND when missing (once `growing` settled).
   * @throws {InvalidInputError} ERR_INVALID_INPUT when not a regular file.
   */
  scanFile?(path: string, onChunk: (chunk: Bytes) => void, opts?: ScanFileOptions): Promise<number>;
  /**
   * Optional: like {@linkcode Fs.scanFile} of a growing file, but read and hashed with
   * `algorithm` on a worker thread, reporting progress to `onRead` now and then; stops once more
   * than `maxBytes` were read (then `hex` is empty). Undefined when no worker thread can start
   * (or hashing threads are turned off): then the caller scans the file itself.
   */
  hashGrowingFile?(
    path: string,
    algorithm: DigestAlgorithm,
    opts: {
      growing: Promise<unknown>;
      maxBytes: number;
      onRead: (bytes: number) => void;
    },
  ): Promise<{ hex: string; size: number }> | undefined;
  /**
   * Optional: flushes the data of the file at `path` to disk (`fdatasync`), so that a rename
   * after it cannot leave an empty or partial file behind a crash.
   * @throws {NotFoundError} ERR_NOT_FOUND when missing.
   */
  syncFile?(path: string): Promise<void>;
}
