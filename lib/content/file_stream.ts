/**
 * A stream over an open file that releases the file handle when it ends, fails or is cancelled.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { FileHandle } from "./fs.ts";

/**
 * Streams `length` bytes of `handle` from `offset` (default: the whole file) and closes the
 * handle at the end, on a read error and on cancel.
 *
 * @example
 * ```ts ignore
 * import { handleStream } from "./file_stream.ts";
 * const text = await new Response(handleStream(await fs.open("notes.txt"))).text();
 * ```
 * @param handle An open file; the stream owns it from now on.
 * @param offset Where to start.
 * @param length How many bytes (default: to the end).
 * @returns The bytes.
 */
export function handleStream(
  handle: FileHandle,
  offset = 0,
  length?: number,
): ReadableStream<Bytes> {
  const reader = handle.stream(offset, length).getReader();
  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      let next: ReadableStreamReadResult<Bytes>;
      try {
        next = await reader.read();
      } catch (err) {
        await handle.close().catch(() => {});
        throw err;
      }
      if (next.done) {
        controller.close();
        await handle.close();
      } else controller.enqueue(next.value);
    },
    async cancel(): Promise<void> {
      await reader.cancel().catch(() => {});
      await handle.close();
    },
  }, { highWaterMark: 0 });
}
