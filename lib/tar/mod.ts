/**
 * The one tar implementation of ocisign: a streaming reader, a random-access index over a file,
 * and a deterministic writer, used by layout tars (directory, file and pipe) and by the image
 * builder (layers, base-image layers, `ADD` of a local archive).
 *
 * Why our own and not modern-tar (the stand-in for the design card's `@std/tar`), measured by
 * `deno run -A scripts/bench/tar.ts` (Deno 2.9, 2 loaded cores; write and read of the same entries,
 * MB/s of tar bytes):
 *
 * BENCH_TABLE
 *
 * @module
 */
export { checksumMatches, type TarReadHeader, type TarReadType } from "./_decode.ts";
export { type IndexedTarEntry, indexTar } from "./index_tar.ts";
export { readTar, type ReadTarOptions, type TarReadEntry } from "./read_tar.ts";
export {
  encodeTarHeader,
  tarEnd,
  type TarEntryType,
  type TarHeader,
  tarPadding,
  type TarWriterEntry,
  writeTar,
} from "./write_tar.ts";
