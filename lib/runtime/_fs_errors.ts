/**
 * File-system errors of `node:fs` and `Deno` (both carry the errno name as `code`) mapped to
 * ocisign's typed errors.
 *
 * @module
 */
import { NotFoundError, StorageError } from "../errors.ts";

/**
 * Whether `err` carries the errno name `code` (`ENOENT`, ...), as errors of `node:fs` and of
 * `Deno`'s file system do.
 */
export function isErrno(err: unknown, code: string): boolean {
  return typeof err === "object" && err !== null && (err as { code?: unknown }).code === code;
}

/** File-system refusals that are the user's to fix, with what to do about each. */
const STORAGE_ERRORS: Record<string, string> = {
  ENOSPC: "no space left on the device; free some space (or use another location) and run again",
  EDQUOT: "disk quota exceeded; free some space (or use another location) and run again",
  EROFS: "the file system is read-only; use a writable location",
  EACCES: "permission denied; check the permissions of the file and its directories",
  EPERM: "operation not permitted; check the permissions of the file and its directories",
};

/** `err` as a typed error when it is one the user can act on (what failed, what to do). */
export function mapError(err: unknown, what: string, path: string): unknown {
  if (isErrno(err, "ENOENT")) {
    return new NotFoundError(`Cannot ${what} ${path}: no such file or directory`, { cause: err });
  }
  if (isErrno(err, "ENOTDIR")) {
    return new NotFoundError(`Cannot ${what} ${path}: a parent is not a directory`, { cause: err });
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && Object.hasOwn(STORAGE_ERRORS, code)) {
    return new StorageError(`Cannot ${what} ${path}: ${STORAGE_ERRORS[code]}`, {
      cause: err,
      details: { errno: code, path },
    });
  }
  return err;
}
