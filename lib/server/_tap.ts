/**
 * Private: a request body passed through unchanged, each chunk shown to a callback first.
 *
 * @module
 */

/**
 * Passes `body` through unchanged, showing each chunk to `see` first. When `see` throws, the
 * body is cancelled and the stream errors with what it threw.
 */
export function tap(
  body: ReadableStream<Uint8Array>,
  see: (chunk: Uint8Array) => void,
): ReadableStream<Uint8Array> {
  // A pull-through stream rather than a TransformStream: several times faster per chunk.
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      const { done, value } = await reader.read();
      if (done) {
        controller.close();
        return;
      }
      try {
        see(value);
      } catch (err) {
        await reader.cancel(err).catch(() => {});
        throw err;
      }
      controller.enqueue(value);
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason);
    },
  });
}
