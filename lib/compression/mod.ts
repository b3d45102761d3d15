/**
 * Compression: deterministic gzip (the same bytes on every runtime) for the layers a build
 * writes, and streaming decompression of the archive formats ADD extracts (gzip, bzip2, xz,
 * zstd), recognised by their magic bytes. Everything is pure JavaScript or WebAssembly shipped
 * in a package, and works chunk by chunk.
 *
 * @example Decompress whatever an archive was compressed with
 * ```ts ignore
 * import { decompressStream, detectCompression } from "./mod.ts";
 * const format = detectCompression(head);
 * const tar = format === undefined ? file.readable : decompressStream(file.readable, format);
 * ```
 *
 * @module
 */
export * from "./gzip.ts";
export * from "./decompress.ts";
