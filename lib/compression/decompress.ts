/**
 * The compressed archive formats ADD extracts, recognised by their magic bytes as Docker does:
 * gzip, bzip2, xz and zstd. Every decoder is pure JavaScript or WebAssembly (`fflate`, the
 * bzip2 decoder in `bzip2.ts`, `xz-decompress`, `fzstd`), so it runs unchanged in Deno, Bun and
 * the compiled binary, works chunk by chunk (memory is bounded by the format's block or window
 * size, not the archive's size), and checks the bzip2, xz and zstd checksums.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { gunzipStream } from "./gzip.ts";
import { bunzip2Stream } from "./bzip2.ts";
import { unxzStream } from "./xz.ts";
import { unzstdStream } from "./zstd.ts";

/** A compression format ADD recognises. */
export type CompressionFormat = "gzip" | "bzip2" | "xz" | "zstd";

function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/**
 * Recognises a compressed stream by its first bytes, as Docker's archive package does.
 *
 * @example
 * ```ts
 * import { detectCompression } from "./decompress.ts";
 * console.log(detectCompression(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0, 0]))); // "zstd"
 * console.log(detectCompression(new TextEncoder().encode("hello!"))); // undefined
 * ```
 * @param head The first bytes of the stream (6 are enough).
 * @returns The format, or `undefined` when the bytes are not a compressed stream it knows.
 */
export function detectCompression(head: Uint8Array): CompressionFormat | undefined {
  if (startsWith(head, [0x1f, 0x8b, 0x08])) return "gzip";
  if (startsWith(head, [0x42, 0x5a, 0x68])) return "bzip2";
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return "xz";
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return "zstd";
  // A zstd skippable frame (magic 0x184D2A50-5F, little endian) may come first.
  if (
    head.length >= 4 && (head[0]! & 0xf0) === 0x50 &&
    startsWith(head.subarray(1), [0x2a, 0x4d, 0x18])
  ) {
    return "zstd";
  }
  return undefined;
}

/**
 * Decompresses a stream of the given format.
 *
 * @example
 * ```ts ignore
 * import { decompressStream, detectCompression } from "./decompress.ts";
 * const format = detectCompression(head);
 * if (format !== undefined) tarStream = decompressStream(compressed, format);
 * ```
 * @param stream The compressed bytes.
 * @param format The format (from {@linkcode detectCompression}).
 * @returns The decompressed bytes; the stream errors with `InvalidInputError`
 * (ERR_INVALID_INPUT) when the data is corrupt or cut short.
 */
export function decompressStream(
  stream: ReadableStream<Uint8Array>,
  format: CompressionFormat,
): ReadableStream<Bytes> {
  switch (format) {
    case "gzip":
      return gunzipStream(stream);
    case "bzip2":
      return bunzip2Stream(stream);
    case "xz":
      return unxzStream(stream);
    case "zstd":
      return unzstdStream(stream);
  }
}
