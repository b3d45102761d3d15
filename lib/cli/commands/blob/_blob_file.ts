/**
 * Opening the file a blob command signs or verifies: it must exist and be a regular file (a
 * directory, a FIFO or a device is refused before anything blocks on it).
 *
 * @module
 */
import type { Bytes } from "../../../_internal/bytes.ts";
import { handleStream } from "../../../content/file_stream.ts";
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
 * Opens a checked blob file as a stream (closed at its end, on error and on cancel).
 * @throws {NotFoundError} ERR_NOT_FOUND when it does not exist.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when it is not a regular file.
 */
export async function openBlobFile(io: CliIo, path: string): Promise<ReadableStream<Bytes>> {
  return handleStream(await io.fs.open(path));
}
