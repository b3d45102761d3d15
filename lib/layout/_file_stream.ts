/**
 * Streams a whole file through an {@linkcode Fs}. The file is opened on the first read, and
 * closed at the end, on error and on cancel, so a stream that is never read holds no handle.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { FileHandle, Fs } from "../content/fs.ts";

/** Streams the file at `path`, opening it lazily. */
export function fileStream(fs: Fs, path: string): Promise<ReadableStream<Bytes>> {
  let handle: FileHandle | undefined;
  let reader: ReadableStreamDefaultReader<Bytes> | undefined;
  let done = false;
  const close = async (): Promise<void> => {
    done = true;
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  return Promise.resolve(
    new ReadableStream<Bytes>({
      async pull(controller): Promise<void> {
        try {
          if (!reader) {
            handle = await fs.open(path);
            reader = handle.stream().getReader();
          }
          const { done: end, value } = await reader.read();
          if (end) {
            await close();
            controller.close();
          } else {
            controller.enqueue(value);
          }
        } catch (err) {
          await close().catch(() => {});
          controller.error(err);
        }
      },
      async cancel(reason): Promise<void> {
        if (done) return;
        await reader?.cancel(reason).catch(() => {});
        await close();
      },
    }, { highWaterMark: 0 }),
  );
}
