/**
 * A tiny async mutex: serialises `index.json` updates within one process.
 *
 * @module
 */

/** Runs callbacks one at a time, in call order. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Runs `fn` after every earlier callback has settled. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(fn);
    this.#tail = result.then(() => {}, () => {});
    return result;
  }
}
