/**
 * A strict CBOR decoder for untrusted input: definite lengths only, no duplicate map keys, map
 * keys limited to integers and text, valid UTF-8 text, bounded nesting, lengths checked against
 * the remaining input before anything is allocated, and no trailing bytes.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { InvalidInputError } from "../../errors.ts";
import { CborMap, CborTag } from "./types.ts";
import type { CborValue } from "./types.ts";

/** Options of {@linkcode decodeCbor}. */
export interface DecodeCborOptions {
  /** Deepest nesting of arrays, maps and tags (default 16). */
  maxDepth?: number;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

function invalid(message: string): never {
  throw new InvalidInputError(`Invalid CBOR: ${message}`);
}

class Reader {
  #bytes: Bytes;
  #pos = 0;
  #maxDepth: number;

  constructor(bytes: Bytes, maxDepth: number) {
    this.#bytes = bytes;
    this.#maxDepth = maxDepth;
  }

  get done(): boolean {
    return this.#pos === this.#bytes.length;
  }

  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  #take(n: number): Bytes {
    if (n > this.remaining) invalid(`item needs ${n} bytes but only ${this.remaining} remain`);
    const out = this.#bytes.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  #argument(info: number): number | bigint {
    if (info < 24) return info;
    if (info === 24) return this.#take(1)[0]!;
    if (info === 25) {
      const b = this.#take(2);
      return (b[0]! << 8) | b[1]!;
    }
    if (info === 26) {
      const b = this.#take(4);
      return new DataView(b.buffer, b.byteOffset, 4).getUint32(0);
    }
    if (info === 27) {
      const b = this.#take(8);
      const v = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    if (info === 31) invalid("indefinite-length items are not allowed");
    return invalid(`reserved additional information value ${info}`);
  }

  #length(info: number, perItem: number): number {
    const n = this.#argument(info);
    if (typeof n === "bigint" || n * perItem > this.remaining) {
      invalid(`declared length ${n} exceeds the ${this.remaining} remaining bytes`);
    }
    return n as number;
  }

  read(depth: number): CborValue {
    const initial = this.#take(1)[0]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    switch (major) {
      case 0:
        return this.#argument(info);
      case 1: {
        const n = this.#argument(info);
        if (typeof n === "bigint" || n >= Number.MAX_SAFE_INTEGER) return -1n - BigInt(n);
        return -1 - n;
      }
      case 2:
        return this.#take(this.#length(info, 1)).slice();
      case 3:
        try {
          return UTF8.decode(this.#take(this.#length(info, 1)));
        } catch (err) {
          if (err instanceof InvalidInputError) throw err;
          return invalid("text string is not valid UTF-8");
        }
      case 4: {
        this.#enter(depth);
        const n = this.#length(info, 1);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.read(depth + 1));
        return out;
      }
      case 5: {
        this.#enter(depth);
        const n = this.#length(info, 2);
        const map = new CborMap();
        for (let i = 0; i < n; i++) {
          const key = this.read(depth + 1);
          if (typeof key !== "string" && typeof key !== "number") {
            invalid("map keys must be integers or text strings");
          }
          if (map.has(key)) invalid(`duplicate map key ${JSON.stringify(key)}`);
          map.set(key, this.read(depth + 1));
        }
        return map;
      }
      case 6: {
        this.#enter(depth);
        const tag = this.#argument(info);
        if (typeof tag === "bigint") invalid("tag number is too large");
        return new CborTag(tag as number, this.read(depth + 1));
      }
      default:
        return this.#simple(info);
    }
  }

  #enter(depth: number): void {
    if (depth >= this.#maxDepth) invalid(`nesting deeper than ${this.#maxDepth} levels`);
  }

  #simple(info: number): CborValue {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25: {
        const b = this.#take(2);
        return halfToNumber((b[0]! << 8) | b[1]!);
      }
      case 26: {
        const b = this.#take(4);
        return new DataView(b.buffer, b.byteOffset, 4).getFloat32(0);
      }
      case 27: {
        const b = this.#take(8);
        return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0);
      }
      case 31:
        return invalid("unexpected break code");
      default:
        return invalid(`unsupported simple value (additional information ${info})`);
    }
  }
}

function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes exactly one CBOR item that spans all of `bytes`.
 *
 * @example
 * ```ts
 * import { decodeCbor } from "./decode.ts";
 * console.log(decodeCbor(new Uint8Array([0x83, 0x01, 0x02, 0x03]))); // [ 1, 2, 3 ]
 * ```
 * @param bytes The encoding.
 * @param options Nesting limit.
 * @returns The decoded value.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the bytes break any rule above.
 */
export function decodeCbor(bytes: Bytes, options: DecodeCborOptions = {}): CborValue {
  const reader = new Reader(bytes, options.maxDepth ?? 16);
  if (reader.done) invalid("empty input");
  const value = reader.read(0);
  if (!reader.done) invalid(`${reader.remaining} trailing bytes after the item`);
  return value;
}
