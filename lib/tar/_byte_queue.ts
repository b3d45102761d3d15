/**
 * A queue over a byte stream that hands out exact-size pieces, pieces as they arrived, or skips.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";

/** Reads a stream in exact-size pieces. */
export class ByteQueue {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #chunks: Uint8Array[] = [];
  #length = 0;
  #done = false;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  async #fill(n: number): Promise<boolean> {
    while (this.#length < n && !this.#done) {
      const { done, value } = await this.#reader.read();
      if (done) this.#done = true;
      else if (value.length > 0) {
        this.#chunks.push(value);
        this.#length += value.length;
      }
    }
    return this.#length >= n;
  }

  async take(n: number): Promise<Bytes | undefined> {
    if (!(await this.#fill(n))) return undefined;
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : concat(this.#chunks);
    const out = all.slice(0, n);
    const rest = all.subarray(n);
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#length = rest.length;
    return out;
  }

  /** Up to `max` bytes (at least one), as they arrived; `undefined` at the end of the input. */
  async next(max: number): Promise<Bytes | undefined> {
    if (this.#length === 0 && !(await this.#fill(1))) return undefined;
    const first = this.#chunks[0]!;
    if (first.length <= max) {
      this.#chunks.shift();
      this.#length -= first.length;
      return first as Bytes;
    }
    this.#chunks[0] = first.subarray(max);
    this.#length -= max;
    return first.subarray(0, max) as Bytes;
  }

  async skip(n: number): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.#length === 0 && !(await this.#fill(1))) return false;
      const first = this.#chunks[0]!;
      if (first.length <= left) {
        left -= first.length;
        this.#length -= first.length;
        this.#chunks.shift();
      } else {
        this.#chunks[0] = first.subarray(left);
        this.#length -= left;
        left = 0;
      }
    }
    return true;
  }

  /** Bytes received but not yet taken. */
  get buffered(): number {
    return this.#length;
  }

  async close(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
    this.#reader.releaseLock();
  }
}
