/**
 * An in-memory {@linkcode Fs}: for tests, examples, browsers and dry runs. Pure Web APIs.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import {
  AbortedError,
  InvalidInputError,
  LockedError,
  NotFoundError,
  SizeExceededError,
} from "../errors.ts";
import { readBounded } from "./_streams.ts";
import { bytesFileHandle } from "./_bytes_file_handle.ts";
import type {
  DirEntry,
  FileHandle,
  FileInfo,
  FileLock,
  Fs,
  LockOptions,
  WriteOptions,
} from "./fs.ts";

type Node =
  | { kind: "file"; data: Bytes; mode: number; mtime: Date }
  | { kind: "dir"; mode: number; mtime: Date }
  | { kind: "symlink"; target: string; mtime: Date };

function normalize(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  const joined = out.join("/");
  return absolute ? `/${joined}` : joined === "" ? "." : joined;
}

function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  if (i < 0) return ".";
  return i === 0 ? "/" : path.slice(0, i);
}

function isRoot(path: string): boolean {
  return path === "/" || path === ".";
}

function childPrefix(path: string): string {
  return path === "/" ? "/" : path === "." ? "" : `${path}/`;
}

/**
 * A file system held in memory, implementing {@linkcode Fs} with the same semantics as the
 * runtime one: parents must exist, writes are atomic (content appears whole or not at all),
 * missing paths give {@linkcode NotFoundError}.
 *
 * @example
 * ```ts
 * import { MemoryFs } from "./memory_fs.ts";
 * const fs = new MemoryFs();
 * await fs.mkdir("/a/b", { recursive: true });
 * await fs.writeFileAtomic("/a/b/c.txt", new TextEncoder().encode("hi"));
 * console.log((await fs.readDir("/a/b")).map((e) => e.name)); // ["c.txt"]
 * ```
 */
export class MemoryFs implements Fs {
  #nodes = new Map<string, Node>();
  #counter = 0;

  /** Reads a whole file. */
  readFile(path: string, opts: { maxBytes?: number } = {}): Promise<Bytes> {
    try {
      const node = this.#file(path, "read");
      if (opts.maxBytes !== undefined && node.data.length > opts.maxBytes) {
        throw new SizeExceededError(`File ${path}`, node.data.length, opts.maxBytes);
      }
      return Promise.resolve(node.data.slice());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Opens a file for random access (a snapshot of its content at open time). */
  open(path: string): Promise<FileHandle> {
    let data: Bytes;
    try {
      data = this.#file(path, "open").data;
    } catch (err) {
      return Promise.reject(err);
    }
    return Promise.resolve(bytesFileHandle(data));
  }

  /** Writes a file atomically: the new content appears only once it was fully read. */
  async writeFileAtomic(
    path: string,
    data: Uint8Array | ReadableStream<Uint8Array>,
    opts: WriteOptions = {},
  ): Promise<void> {
    const p = normalize(path);
    this.#dir(parentOf(p), "write");
    const bytes = await readBounded(data, {
      limit: Number.MAX_SAFE_INTEGER,
      what: `File ${path}`,
      signal: opts.signal,
    });
    if (opts.signal?.aborted) throw new AbortedError("The file write was aborted");
    const existing = this.#nodes.get(p);
    if (existing?.kind === "dir") {
      throw new InvalidInputError(`Cannot write ${path}: it is a directory`);
    }
    this.#dir(parentOf(p), "write");
    this.#nodes.set(p, {
      kind: "file",
      data: bytes.slice(),
      mode: opts.mode ?? (existing?.kind === "file" ? existing.mode : 0o644),
      mtime: new Date(),
    });
  }

  /** Creates a directory (and its parents with `recursive`). */
  mkdir(path: string, opts: { recursive?: boolean; mode?: number } = {}): Promise<void> {
    try {
      this.#mkdir(normalize(path), opts.recursive ?? false, opts.mode ?? 0o755);
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Lists a directory. */
  readDir(path: string): Promise<DirEntry[]> {
    try {
      const p = normalize(path);
      this.#dir(p, "list");
      const prefix = childPrefix(p);
      const out: DirEntry[] = [];
      for (const [key, node] of this.#nodes) {
        if (!key.startsWith(prefix) || key === p) continue;
        const rest = key.slice(prefix.length);
        if (rest === "" || rest.includes("/")) continue;
        out.push({
          name: rest,
          isFile: node.kind === "file",
          isDirectory: node.kind === "dir",
          isSymlink: node.kind === "symlink",
        });
      }
      return Promise.resolve(out.sort((a, b) => (a.name < b.name ? -1 : 1)));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Describes a path without following a final symlink. */
  stat(path: string): Promise<FileInfo | undefined> {
    const p = normalize(path);
    const node: Node | undefined = isRoot(p)
      ? { kind: "dir", mode: 0o755, mtime: new Date(0) }
      : this.#nodes.get(p);
    if (!node) return Promise.resolve(undefined);
    return Promise.resolve({
      size: node.kind === "file" ? node.data.length : 0,
      isFile: node.kind === "file",
      isDirectory: node.kind === "dir",
      isSymlink: node.kind === "symlink",
      mode: node.kind === "symlink" ? 0o777 : node.mode,
      mtime: node.mtime,
    });
  }

  /** Reads a symlink's target. */
  readLink(path: string): Promise<string> {
    const node = this.#nodes.get(normalize(path));
    if (node?.kind !== "symlink") {
      return Promise.reject(new NotFoundError(`Cannot read link ${path}: not a symlink`));
    }
    return Promise.resolve(node.target);
  }

  /** Resolves symlinks in the last component of `path` (memory links are only ever there). */
  realPath(path: string): Promise<string> {
    let p = normalize(path);
    for (let hops = 0; hops < 40; hops++) {
      const node = this.#nodes.get(p);
      if (node === undefined && !isRoot(p)) {
        return Promise.reject(new NotFoundError(`Cannot resolve ${path}: no such file`));
      }
      if (node?.kind !== "symlink") return Promise.resolve(p);
      p = normalize(node.target.startsWith("/") ? node.target : `${parentOf(p)}/${node.target}`);
    }
    return Promise.reject(new InvalidInputError(`Cannot resolve ${path}: too many links`));
  }

  /**
   * Takes a lock within this memory file system: the lock file exists while held, and another
   * taker polls until it is released or `waitMs` passes.
   */
  async lock(path: string, opts: LockOptions = {}): Promise<FileLock> {
    const p = normalize(path);
    const deadline = Date.now() + (opts.waitMs ?? 120_000);
    while (this.#nodes.has(p)) {
      opts.signal?.throwIfAborted();
      if (Date.now() >= deadline) {
        throw new LockedError(
          `Lock file ${path} is held by another writer. Wait for it to finish and try again`,
          { details: { lockFile: path } },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.#dir(parentOf(p), "lock");
    const held: Node = { kind: "file", data: new Uint8Array(0), mode: 0o644, mtime: new Date() };
    this.#nodes.set(p, held);
    return {
      path,
      release: (): Promise<void> => {
        if (this.#nodes.get(p) !== held) {
          return Promise.reject(
            new LockedError(`Lock file ${path} was taken over while held; run again`),
          );
        }
        this.#nodes.delete(p);
        return Promise.resolve();
      },
    };
  }

  /** Creates a symlink (memory only; reads do not follow it). */
  symlink(target: string, path: string): Promise<void> {
    this.#nodes.set(normalize(path), { kind: "symlink", target, mtime: new Date() });
    return Promise.resolve();
  }

  /** Removes a file or (with `recursive`) a directory tree. */
  remove(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const p = normalize(path);
    const node = this.#nodes.get(p);
    if (!node) return Promise.resolve();
    const prefix = childPrefix(p);
    const children = [...this.#nodes.keys()].filter((k) => k.startsWith(prefix) && k !== p);
    if (node.kind === "dir" && children.length > 0 && !opts.recursive) {
      return Promise.reject(new InvalidInputError(`Cannot remove ${path}: directory not empty`));
    }
    for (const k of children) this.#nodes.delete(k);
    this.#nodes.delete(p);
    return Promise.resolve();
  }

  /** Renames a file or directory. */
  rename(from: string, to: string): Promise<void> {
    try {
      const src = normalize(from);
      const dst = normalize(to);
      if (!this.#nodes.has(src)) {
        throw new NotFoundError(`Cannot rename ${from}: no such file or directory`);
      }
      this.#dir(parentOf(dst), "rename to");
      const prefix = childPrefix(src);
      const moving = [...this.#nodes].filter(([k]) => k === src || k.startsWith(prefix));
      for (const [k] of moving) this.#nodes.delete(k);
      for (const [k, v] of moving) {
        this.#nodes.set(k === src ? dst : childPrefix(dst) + k.slice(prefix.length), v);
      }
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Creates a fresh, empty directory inside `near`. */
  async makeTempDir(near: string, prefix = ".ocisign-"): Promise<string> {
    const base = normalize(near);
    this.#dir(base, "create a temporary directory in");
    let path: string;
    do {
      path = `${childPrefix(base)}${prefix}${(++this.#counter).toString(36)}`;
    } while (this.#nodes.has(path));
    await this.mkdir(path);
    return path;
  }

  #mkdir(p: string, recursive: boolean, mode: number): void {
    if (isRoot(p)) return;
    const existing = this.#nodes.get(p);
    if (existing?.kind === "dir") return;
    if (existing) throw new InvalidInputError(`Cannot create directory ${p}: a file exists`);
    const parent = parentOf(p);
    if (!isRoot(parent) && this.#nodes.get(parent)?.kind !== "dir") {
      if (!recursive) {
        throw new NotFoundError(`Cannot create directory ${p}: no such parent directory`);
      }
      this.#mkdir(parent, true, mode);
    }
    this.#nodes.set(p, { kind: "dir", mode, mtime: new Date() });
  }

  #file(path: string, what: string): Extract<Node, { kind: "file" }> {
    const node = this.#nodes.get(normalize(path));
    if (!node) throw new NotFoundError(`Cannot ${what} ${path}: no such file or directory`);
    if (node.kind !== "file") {
      throw new InvalidInputError(`Cannot ${what} ${path}: not a regular file`);
    }
    return node;
  }

  #dir(path: string, what: string): void {
    if (isRoot(path)) return;
    const node = this.#nodes.get(path);
    if (node?.kind !== "dir") {
      throw new NotFoundError(`Cannot ${what} ${path}: no such directory`);
    }
  }
}
