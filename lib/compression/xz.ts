/**
 * xz decompression for ADD, through `xz-decompress` (xz-embedded compiled to WebAssembly, shipped
 * inside the package, so the compiled binary needs no file next to it).
 *
 * @module
 */
import * as xzModule from "npm:xz-decompress@0.2.3";
import type { Bytes } from "../_internal/bytes.ts";
import { InvalidInputError } from "../errors.ts";

// xz-decompress is a CommonJS (UMD) bundle: Deno exposes it as the default export only.
const XzReadableStream: typeof xzModule.XzReadableStream =
  (xzModule as unknown as { default?: typeof xzModule }).default?.XzReadableStream ??
    xzModule.XzReadableStream;

function invalid(err: unknown): InvalidInputError {
  const why = err instanceof Error ? err.message : String(err);
  return new InvalidInputError(
    `Cannot decompress xz data: ${why}; the archive is corrupt or truncated`,
    { cause: err },
  );
}

/** The empty reads in a row after the end of input that mean xz data was cut short. */
const XZ_STALLED_READS = 4;

/**
 * Decompresses an xz stream (one or more concatenated xz streams), with the embedded-xz decoder
 * compiled to WebAssembly. Integrity is checked with the stream's own CRC32/CRC64.
 *
 * @example
 * ```ts ignore
 * import { unxzStream } from "./xz.ts";
 * const tar = unxzStream(file.readable);
 * ```
 * @param input The compressed bytes.
 * @returns The decompressed bytes; the stream errors with `InvalidInputError` (ERR_INVALID_INPUT)
 * when the data is corrupt or cut short.
 */
export function unxzStream(input: ReadableStream<Uint8Array>): ReadableStream<Bytes> {
  let inputDone = false;
  const watched = input.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      flush(): void {
        inputDone = true;
      },
    }),
  );
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let stalled = 0;
  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      reader ??= new XzReadableStream(watched).getReader();
      for (;;) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (err) {
          throw invalid(err);
        }
        if (result.done) {
          controller.close();
          return;
        }
        if (result.value.length > 0) {
          stalled = 0;
          controller.enqueue(result.value as Bytes);
          return;
        }
        // The decoder has no way to hear that input ended; it then returns nothing forever.
        if (inputDone && ++stalled >= XZ_STALLED_READS) {
          await reader.cancel().catch(() => {});
          throw invalid(new Error("unexpected end of input"));
        }
      }
    },
    async cancel(reason): Promise<void> {
      if (reader !== undefined) await reader.cancel(reason);
      else await watched.cancel(reason);
    },
  });
}
