/**
 * Private: a request body passed through unchanged, each chunk shown to a callback first.
 *
 * @module
 */

/**
 * Passes `body` through unchanged, showing each chunk to `see` first. When `see` throws, the
 * body is cancelled and the stream errors with what it threw; so it does with `signal`'s reason
 * when `signal` aborts (a reader that cannot be stopped from outside, such as Bun's native file
 * write, then stops too).
 */
export function tap(
  body: ReadableStream<Uint8Array>,
  see: (chunk: Uint8Array) => void,
  signal?: AbortSignal,
): ReadableStream<Uint8Array> {
  // A pull-through stream rather than a TransformStream: several times faster per chunk.
  const reader = body.getReader();
  let stop: (() => void) | undefined;
  const done = (): void => signal?.removeEventListener("abort", stop!);
  return new ReadableStream<Uint8Array>({
    start(controller): void {
      if (signal === undefined) return;
      stop = (): void => {
        controller.error(signal.reason);
        reader.cancel(signal.reason).catch(() => {});
      };
      if (signal.aborted) stop();
      else signal.addEventListener("abort", stop, { once: true });
    },
    async pull(controller): Promise<void> {
      const { done: ended, value } = await reader.read();
      if (signal?.aborted) return;
      if (ended) {
        done();
        controller.close();
        return;
      }
      try {
        see(value);
      } catch (err) {
        done();
        await reader.cancel(err).catch(() => {});
        throw err;
      }
      controller.enqueue(value);
    },
    async cancel(reason): Promise<void> {
      done();
      await reader.cancel(reason);
    },
  });
}
