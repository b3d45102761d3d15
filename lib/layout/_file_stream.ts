/**
 * Streams a whole file through an {@linkcode Fs}, closing the handle at the end, on error and on
 * cancel.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { Fs } from "../content/fs.ts";

/** Opens `path` and streams it; the handle is closed when the stream ends or is cancelled. */
export async function fileStream(fs: Fs, path: string): Promise<ReadableStream<Bytes>> {
  const handle = await fs.open(path);
  const reader = handle.stream().getReader();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      try {
        const { done, value } = await reader.read();
        if (done) {
          await close();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (err) {
        await close();
        controller.error(err);
      }
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason).catch(() => {});
      await close();
    },
  });
}
