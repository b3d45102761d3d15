/**
 * Indexes a tar file for random access, reading only its headers.
 *
 * @module
 */
import type { FileHandle } from "../content/fs.ts";
import { InvalidInputError } from "../errors.ts";
import { BLOCK, HeaderDecoder, type TarReadHeader } from "./_decode.ts";

/** One entry of an indexed tar. */
export interface IndexedTarEntry {
  /** The entry's header. */
  header: TarReadHeader;
  /** Where the content starts in the file. */
  offset: number;
}

/**
 * Lists the entries of a tar file with the offset of each one's content.
 *
 * @example
 * ```ts ignore
 * for await (const { header, offset } of indexTar(handle)) console.log(header.path, offset);
 * ```
 * @param file The archive.
 * @returns The entries in archive order.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the archive is malformed or truncated.
 */
export async function* indexTar(file: FileHandle): AsyncGenerator<IndexedTarEntry> {
  const decoder = new HeaderDecoder();
  let offset = 0;
  for (;;) {
    if (offset + BLOCK > file.size) {
      if (offset < file.size || offset === 0) {
        throw new InvalidInputError("Tar archive is truncated");
      }
      return;
    }
    const block = await file.read(offset, BLOCK);
    if (block.length < BLOCK) throw new InvalidInputError("Tar archive is truncated");
    const decoded = decoder.block(block);
    if (decoded.kind === "end") return;
    const dataOffset = offset + BLOCK;
    const size = decoded.kind === "meta" ? decoded.size : decoded.header.size;
    if (dataOffset + size > file.size) throw new InvalidInputError("Tar archive is truncated");
    if (decoded.kind === "meta") decoder.meta(decoded.flag, await file.read(dataOffset, size));
    else yield { header: decoded.header, offset: dataOffset };
    offset = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
  }
}
