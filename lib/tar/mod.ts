/**
 * The one tar implementation of ocisign: a streaming reader, a random-access index over a file,
 * and a deterministic writer, used by layout tars (directory, file and pipe) and by the image
 * builder (layers, base-image layers, `ADD` of a local archive).
 *
 * Why our own and not modern-tar (the stand-in for the design card's `@std/tar`), measured with
 * `deno run -A scripts/bench/tar.ts --big-mib 512 --files 20000 --runs 1` (Deno 2.9.6, in memory,
 * MB/s of tar bytes, on 2 cores shared with other jobs, so the speeds are rough):
 *
 * | | write 1 × 512 MiB | write+read 1 × 512 MiB | write 20,000 files | write+read 20,000 files | same bytes twice | same bytes as lib/tar |
 * |---|---|---|---|---|---|---|
 * | lib/tar | 1241 MB/s | 1248 MB/s | 242 MB/s | 225 MB/s | yes | yes |
 * | modern-tar | 4217 MB/s | 1262 MB/s | 605 MB/s | 613 MB/s | yes | no |
 *
 * | | 300-byte name | size 9 GiB | uid/gid 3,000,000 | mtime 2^34 s (after 2242) |
 * |---|---|---|---|---|
 * | lib/tar | kept | PAX record | kept | PAX record |
 * | modern-tar | kept | PAX record | kept | lost (octal field overflows) |
 *
 * - Determinism decides it: both writers are deterministic, but modern-tar writes other header
 *   bytes than the writer every image built so far came from, so taking it would change every
 *   layer digest (and the reference digests the tests pin). It also cannot write an mtime past
 *   ustar's 11 octal digits.
 * - Speed does not: modern-tar writes faster, but both are one to two orders of magnitude above
 *   what a build feeds them (deflate at level 6 runs at about 25-40 MB/s), and reading is on a par.
 * - lib/tar also gives what modern-tar has no API for: a random-access index over a file (layout
 *   tars are read in place), entry contents loaded only when asked for, and bounded PAX headers
 *   (1 MiB).
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
