/**
 * The Merkle–Damgård frame shared by SHA-256 and SHA-512: block buffering, padding with the
 * message length in bits, and the output of the state words.
 *
 * @module
 */
import { toHex } from "../_internal/bytes.ts";
import type { Hasher } from "./hasher.ts";

/** A hash over fixed-size blocks; subclasses supply the compression function. */
export abstract class BlockHasher implements Hasher {
  /** The chaining state, as 32-bit words (SHA-512 keeps high/low pairs). */
  protected readonly state: Uint32Array;
  readonly #block: Uint8Array;
  readonly #outputBytes: number;
  #blockLen = 0;
  #total = 0;
  #finished = false;

  /**
   * Sets up the hasher.
   * @param init Initial state words.
   * @param blockBytes Block size (64 or 128).
   * @param outputBytes Hash size.
   */
  protected constructor(init: ArrayLike<number>, blockBytes: number, outputBytes: number) {
    this.state = Uint32Array.from(init);
    this.#block = new Uint8Array(blockBytes);
    this.#outputBytes = outputBytes;
  }

  /** Mixes the block at `data[offset..offset+blockBytes)` into the state. */
  protected abstract compress(data: Uint8Array, offset: number): void;

  /** Feeds bytes. */
  update(bytes: Uint8Array): void {
    if (this.#finished) throw new TypeError("Cannot update: the hasher is already finished");
    const size = this.#block.length;
    this.#total += bytes.length;
    let i = 0;
    if (this.#blockLen > 0) {
      const take = Math.min(size - this.#blockLen, bytes.length);
      this.#block.set(bytes.subarray(0, take), this.#blockLen);
      this.#blockLen += take;
      i = take;
      if (this.#blockLen < size) return;
      this.compress(this.#block, 0);
      this.#blockLen = 0;
    }
    for (; i + size <= bytes.length; i += size) this.compress(bytes, i);
    if (i < bytes.length) {
      this.#block.set(bytes.subarray(i), 0);
      this.#blockLen = bytes.length - i;
    }
  }

  /** Finishes and returns lower-case hex. */
  digestHex(): string {
    return toHex(this.digest());
  }

  /** Finishes and returns the hash bytes. */
  digest(): Uint8Array {
    if (this.#finished) throw new TypeError("Cannot digest: the hasher is already finished");
    const size = this.#block.length;
    const lengthBytes = size / 8;
    const room = size - lengthBytes;
    const padLen = this.#blockLen < room ? room - this.#blockLen : size + room - this.#blockLen;
    const pad = new Uint8Array(padLen + lengthBytes);
    pad[0] = 0x80;
    const dv = new DataView(pad.buffer);
    dv.setUint32(pad.length - 8, Math.floor(this.#total / 0x20000000));
    dv.setUint32(pad.length - 4, (this.#total * 8) >>> 0);
    this.update(pad);
    this.#finished = true;
    const out = new Uint8Array(this.#outputBytes);
    const ov = new DataView(out.buffer);
    for (let j = 0; j < this.#outputBytes / 4; j++) ov.setUint32(j * 4, this.state[j]!);
    return out;
  }
}
