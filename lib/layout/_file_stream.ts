/**
 * Streams a whole file through an {@linkcode Fs}. The file is opened on the first read (and then
 * read through {@linkcode handleStream}, which closes it at the end, on error and on cancel), so
 * a stream that is never read holds no handle.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { handleStream } from "../content/file_stream.ts";
import type { Fs } from "../content/fs.ts";

/** Streams the file at `path`, opening it lazily. */
export function fileStream(fs: Fs, path: string): Promise<ReadableStream<Bytes>> {
  let reader: ReadableStreamDefaultReader<Bytes> | undefined;
  return Promise.resolve(
    new ReadableStream<Bytes>({
      async pull(controller): Promise<void> {
        reader ??= handleStream(await fs.open(path)).getReader();
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      },
      async cancel(reason): Promise<void> {
        await reader?.cancel(reason).catch(() => {});
      },
    }, { highWaterMark: 0 }),
  );
}
