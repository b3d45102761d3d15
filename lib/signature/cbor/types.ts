/**
 * The CBOR data model used by the COSE codec.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";

/** A tagged item (major type 6). */
export class CborTag {
  /** The tag number. */
  readonly tag: number;
  /** The tagged item. */
  readonly value: CborValue;
  /**
   * Creates a tagged item.
   * @param tag The tag number.
   * @param value The tagged item.
   */
  constructor(tag: number, value: CborValue) {
    this.tag = tag;
    this.value = value;
  }
}

/** A map (major type 5) with integer or text keys, in insertion order. */
export class CborMap {
  #entries: Map<number | string, CborValue>;
  /**
   * Creates a map.
   * @param entries Key/value pairs.
   */
  constructor(entries: Iterable<readonly [number | string, CborValue]> = []) {
    this.#entries = new Map(entries);
  }
  /** The value under `key`. */
  get(key: number | string): CborValue | undefined {
    return this.#entries.get(key);
  }
  /** Whether `key` is present. */
  has(key: number | string): boolean {
    return this.#entries.has(key);
  }
  /** Sets `key`. */
  set(key: number | string, value: CborValue): this {
    this.#entries.set(key, value);
    return this;
  }
  /** Number of entries. */
  get size(): number {
    return this.#entries.size;
  }
  /** Entries in insertion order. */
  entries(): IterableIterator<[number | string, CborValue]> {
    return this.#entries.entries();
  }
  /** Keys in insertion order. */
  keys(): IterableIterator<number | string> {
    return this.#entries.keys();
  }
}

/** Any CBOR item this codec handles. Integers outside the safe range decode as `bigint`. */
export type CborValue =
  | number
  | bigint
  | string
  | Bytes
  | boolean
  | null
  | undefined
  | CborValue[]
  | CborMap
  | CborTag;
