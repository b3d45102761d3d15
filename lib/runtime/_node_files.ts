/**
 * What `nodeFs` and `bunFs` share about `node:fs` files: the read flags, the refusal of anything
 * but a regular file, and the {@linkcode FileInfo} of a `Stats`.
 *
 * @module
 */
import { constants, type Dirent, type Stats } from "node:fs";
import type { DirEntry, FileInfo } from "../content/fs.ts";
import { InvalidInputError } from "../errors.ts";

/** Read-only, without blocking on a FIFO; `O_NONBLOCK` does not change reads of regular files. */
export const READ_FLAGS: number = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) |
  (constants.O_NOCTTY ?? 0);

function fileKind(st: Stats): string {
  if (st.isDirectory()) return "directory";
  if (st.isFIFO()) return "FIFO";
  if (st.isSocket()) return "socket";
  return "device or special file";
}

/** Fails unless `st` is a regular file's (`what`: the verb of the message, such as `read`). */
export function checkRegular(st: Stats, what: string, path: string): void {
  if (!st.isFile()) {
    throw new InvalidInputError(
      `Cannot ${what} ${path}: not a regular file (a ${fileKind(st)}); give a regular file`,
    );
  }
}

/** The {@linkcode FileInfo} of an `lstat`. */
export function fileInfo(st: Stats): FileInfo {
  return {
    size: st.size,
    isFile: st.isFile(),
    isDirectory: st.isDirectory(),
    isSymlink: st.isSymbolicLink(),
    mode: st.mode & 0o7777,
    mtime: st.mtime,
    dev: st.dev,
    ino: st.ino,
    nlink: st.nlink,
    uid: st.uid,
    gid: st.gid,
  };
}

/** The {@linkcode DirEntry} of a `readdir` entry. */
export function dirEntry(e: Dirent): DirEntry {
  return {
    name: String(e.name),
    isFile: e.isFile(),
    isDirectory: e.isDirectory(),
    isSymlink: e.isSymbolicLink(),
  };
}
