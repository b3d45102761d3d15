/**
 * Opening the file a blob command signs or verifies: it must exist and be a regular file (a
 * directory, a FIFO or a device is refused before anything blocks on it).
 *
 * @module
 */
import type { Bytes } from "../../../_internal/bytes.ts";
import { InvalidInputError, NotFoundError } from "../../../errors.ts";
import { absolutePath } from "../../config/config_dir.ts";
import type { CliIo } from "../../io.ts";

/**
 * Resolves `file` against the working directory and checks that it can be read as a blob.
 * @returns The absolute path.
 * @throws {NotFoundError} ERR_NOT_FOUND when it does not exist.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when it is a directory or not a regular file.
 */
export async function checkBlobFile(io: CliIo, file: string): Promise<string> {
  const path = absolutePath(io.cwd, file);
  const info = await io.fs.stat(path);
  if (info === undefined) throw new NotFoundError(`open ${file}: no such file or directory`);
  if (info.isDirectory) throw new InvalidInputError(`read ${file}: is a directory`);
  // a symlink is followed by open, which checks the target is a regular file
  if (!info.isFile && !info.isSymlink) {
    throw new InvalidInputError(`read ${file}: not a regular file`);
  }
  return path;
}

/**
 * Opens a checked blob file and hands its byte stream (which BYOB readers read without
 * allocating) to `fn`; the file is closed afterwards, also on failure.
 * @throws {NotFoundError} ERR_NOT_FOUND when it does not exist.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when it is not a regular file.
 */
export async function withBlobStream<T>(
  io: CliIo,
  path: string,
  fn: (stream: ReadableStream<Bytes>) => Promise<T>,
): Promise<T> {
  const handle = await io.fs.open(path);
  try {
    return await fn(handle.stream());
  } finally {
    await handle.close();
  }
}
