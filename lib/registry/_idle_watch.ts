/**
 * Private: an idle timeout over a whole HTTP exchange. `fetch` resolves when the response headers
 * arrive, so a timer around it leaves the body unguarded: a registry that sends headers and then
 * nothing would hang the client forever. The watch is armed whenever the client waits for the
 * registry (for the headers, for the next chunk of the response body, for the registry to take
 * the next chunk of a streamed upload) and disarmed while the client itself is busy, so a slow
 * consumer or a slow upload source never counts against the registry.
 *
 * @module
 */

/**
 * A restartable one-shot timer that aborts the exchange when it fires. A wait it guards does not
 * depend on the abort reaching the runtime's fetch through a chain of signals (a dependent signal
 * can be collected before it is aborted): each wait also hears of the firing itself ({@linkcode
 * IdleWatch.onFire}) and ends.
 */
export class IdleWatch {
  readonly #ms: number;
  readonly #onIdle: () => void;
  readonly #listeners: (() => void)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #fired = false;

  /**
   * @param ms The longest wait.
   * @param onIdle Called once when a wait takes longer (aborts the request).
   */
  constructor(ms: number, onIdle: () => void) {
    this.#ms = ms;
    this.#onIdle = onIdle;
  }

  /** Whether a wait took too long. */
  get fired(): boolean {
    return this.#fired;
  }

  /** Calls `listener` once when a wait takes too long (at once if one did already). */
  onFire(listener: () => void): void {
    if (this.#fired) listener();
    else this.#listeners.push(listener);
  }

  /** Starts (or restarts) a wait. */
  arm(): void {
    clearTimeout(this.#timer);
    if (this.#fired) return;
    this.#timer = setTimeout(() => {
      this.#fired = true;
      this.#onIdle();
      for (const listener of this.#listeners.splice(0)) listener();
    }, this.#ms);
  }

  /**
   * `pending` (the wait for a response's headers), or a rejection with `timeoutError()` as soon as
   * a wait takes too long, whether or not the abort reached `pending`. A response that comes
   * after that has its body cancelled.
   */
  race(pending: Promise<Response>, timeoutError: () => Error): Promise<Response> {
    const fired = new Promise<never>((_, reject) => this.onFire(() => reject(timeoutError())));
    return Promise.race([pending, fired]).catch((err) => {
      pending.then((late) => late.body?.cancel().catch(() => {}), () => {});
      throw err;
    });
  }

  /** Ends the current wait. */
  disarm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/**
 * The response with its body read under `watch`: each read of the underlying body is one wait,
 * and a wait that fires errors the body with `timeoutError()`. `signal` is the exchange's, for
 * {@linkcode takeWatchedBody}.
 */
export function watchResponseBody(
  res: Response,
  watch: IdleWatch,
  timeoutError: (cause: unknown) => Error,
  signal?: AbortSignal,
): Response {
  // A null-body status cannot be rebuilt with a body (and has nothing to wait for).
  if (res.body === null || [101, 204, 205, 304].includes(res.status)) return res;
  const raw = res.body;
  // Taken on the first read, so that `takeWatchedBody` can still hand the body over untouched.
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      if (reader === undefined) {
        const taken = reader = raw.getReader();
        // A read the abort does not reach still ends: cancelling its reader ends it as done.
        watch.onFire(() => taken.cancel().catch(() => {}));
      }
      watch.arm();
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        watch.disarm();
        controller.error(watch.fired ? timeoutError(err) : err);
        return;
      }
      watch.disarm();
      if (watch.fired) {
        controller.error(timeoutError(undefined));
        await reader.cancel().catch(() => {});
      } else if (chunk.done) {
        controller.close();
      } else {
        controller.enqueue(chunk.value);
      }
    },
    async cancel(reason): Promise<void> {
      watch.disarm();
      await (reader ?? raw).cancel(reason);
    },
  }, { highWaterMark: 0 });
  const watched = new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
  untouched.set(watched, { body: raw, watch, timeoutError, signal });
  return watched;
}

/** A response body handed over whole, with the watch its reader now drives. */
export interface WatchedBody {
  /** The body as the runtime's `fetch` gave it (no JavaScript between it and a native sink). */
  readonly body: ReadableStream<Uint8Array<ArrayBuffer>>;
  /** The exchange's idle watch: the new reader arms it while it waits for the registry. */
  readonly watch: IdleWatch;
  /** The error to report when the watch fired. */
  readonly timeoutError: (cause: unknown) => Error;
  /**
   * The exchange's signal (the caller's cancel, or the watch firing): a native sink stops on it.
   * Holding it also keeps it alive (a signal of `AbortSignal.any` is held only weakly by its
   * sources).
   */
  readonly signal: AbortSignal | undefined;
}

const untouched = new WeakMap<Response, WatchedBody>();

/**
 * The body under a response of {@linkcode watchResponseBody} that nobody has read yet, for a
 * caller that moves it in one native operation (a file write) instead of chunk by chunk; the
 * response's own body is then unusable. `undefined` when the response was not watched or its
 * body was already read.
 */
export function takeWatchedBody(res: Response): WatchedBody | undefined {
  const taken = untouched.get(res);
  untouched.delete(res);
  if (taken === undefined || res.bodyUsed || taken.body.locked) return undefined;
  return taken;
}

/**
 * A streamed request body under `watch`: once a chunk is handed to `fetch`, the registry has to
 * take it (the next pull) before the watch fires; after the last chunk, the wait for the
 * response headers begins.
 */
export function watchUploadBody(
  body: ReadableStream<Uint8Array>,
  watch: IdleWatch,
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller): Promise<void> {
      watch.disarm();
      const chunk = await reader.read();
      watch.arm();
      if (chunk.done) controller.close();
      else controller.enqueue(chunk.value);
    },
    async cancel(reason): Promise<void> {
      watch.disarm();
      await reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
