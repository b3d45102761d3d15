/**
 * The layers one build is writing at once: at most a few in flight (compressing one is most of
 * a build's CPU, so as many as there are cores), the first failure stopping the others. Not
 * public.
 *
 * @module
 */

/** Most layers written at once, whatever the core count (each holds its own buffers). */
const MAX_SLOTS = 4;

/** The default number of layers written at once: the core count, from 1 to {@linkcode MAX_SLOTS}. */
export function defaultLayerSlots(): number {
  const cores = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)
    ?.hardwareConcurrency;
  return Math.max(1, Math.min(MAX_SLOTS, Number.isSafeInteger(cores) ? cores! : 1));
}

/** A bounded set of layer writes sharing one failure. */
export class LayerWrites {
  #slots: number;
  #inflight = new Set<Promise<void>>();
  #stop = new AbortController();
  #failure: { error: unknown } | undefined;
  #signal: AbortSignal;
  #written = 0;

  /**
   * @param slots Most writes in flight (at least 1).
   * @param signal The caller's cancellation (it stops every write too).
   */
  constructor(slots: number, signal?: AbortSignal) {
    this.#slots = Math.max(1, slots);
    this.#signal = signal === undefined
      ? this.#stop.signal
      : AbortSignal.any([signal, this.#stop.signal]);
  }

  /** Fires when the caller aborts or any write (or the build around them) has failed. */
  get signal(): AbortSignal {
    return this.#signal;
  }

  /**
   * Waits for a free slot, then starts a write.
   * @param write Writes one layer; `signal` stops it.
   * @returns The write's outcome, wrapped so that awaiting the slot does not wait for the write
   * (a failure also stops the other writes).
   */
  async start<T>(write: (signal: AbortSignal) => Promise<T>): Promise<{ outcome: Promise<T> }> {
    while (this.#inflight.size >= this.#slots) await Promise.race(this.#inflight);
    this.check();
    const outcome = write(this.#signal);
    const tracked: Promise<void> = outcome.then(
      () => {},
      (error) => this.fail(error),
    ).finally(() => this.#inflight.delete(tracked));
    this.#inflight.add(tracked);
    return { outcome };
  }

  /** Records the build's first failure and stops every write in flight. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#stop.abort();
  }

  /** Throws the first failure, when there was one. */
  check(): void {
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  /** Waits until no write is in flight (their failures are kept for {@linkcode check}). */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.race(this.#inflight);
  }

  /**
   * A progress callback for one layer that reports the build's total compressed bytes.
   * @param onProgress Told the compressed bytes of every layer written so far.
   * @returns The layer's callback (told that layer's compressed bytes so far).
   */
  progress(onProgress: (bytes: number) => void): (bytes: number) => void {
    let seen = 0;
    return (bytes) => {
      this.#written += bytes - seen;
      seen = bytes;
      onProgress(this.#written);
    };
  }
}
