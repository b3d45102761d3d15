/**
 * A counting semaphore whose waiters can be cancelled.
 *
 * @module
 */
import { AbortedError } from "../errors.ts";

/** Limits how many tasks hold a slot at once. */
export class Semaphore {
  #free: number;
  #waiters: (() => void)[] = [];

  /** @param slots How many holders at once (at least 1). */
  constructor(slots: number) {
    if (!Number.isSafeInteger(slots) || slots < 1) {
      throw new RangeError(
        `Cannot create a semaphore: concurrency must be a positive integer, got ${slots}`,
      );
    }
    this.#free = slots;
  }

  /** Waits for a slot. @throws {AbortedError} ERR_ABORTED when the signal fires first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new AbortedError("The copy was aborted"));
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(new AbortedError("The copy was aborted"));
      };
      this.#waiters.push(grant);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Returns a slot, waking the oldest waiter. */
  release(): void {
    const next = this.#waiters.shift();
    if (next !== undefined) next();
    else this.#free++;
  }
}
