/**
 * A deterministic CBOR encoder (RFC 8949 §4.2.1 core deterministic encoding): shortest
 * argument forms, definite lengths, map keys sorted by their encoded bytes, shortest
 * floating-point form that keeps the value.
 *
 * @module
 */
import { concat, utf8 } from "../../_internal/bytes.ts";
import type { Bytes } from "../../_internal/bytes.ts";
import { CborMap, CborTag } from "./types.ts";
import type { CborValue } from "./types.ts";

function head(major: number, arg: number | bigint): Bytes {
  const m = major << 5;
  const n = BigInt(arg);
  if (n < 24n) return new Uint8Array([m | Number(n)]);
  if (n < 0x100n) return new Uint8Array([m | 24, Number(n)]);
  if (n < 0x10000n) return new Uint8Array([m | 25, Number(n >> 8n), Number(n & 0xffn)]);
  const out = new Uint8Array(n < 0x100000000n ? 5 : 9);
  out[0] = m | (out.length === 5 ? 26 : 27);
  const view = new DataView(out.buffer);
  if (out.length === 5) view.setUint32(1, Number(n));
  else view.setBigUint64(1, n);
  return out;
}

function encodeFloat(x: number): Bytes {
  const f32 = new DataView(new ArrayBuffer(4));
  f32.setFloat32(0, x);
  if (f32.getFloat32(0) === x || Number.isNaN(x)) {
    const half = toHalf(x);
    if (half !== undefined) return new Uint8Array([0xf9, half >> 8, half & 0xff]);
    return concat([new Uint8Array([0xfa]), new Uint8Array(f32.buffer)]);
  }
  const out = new Uint8Array(9);
  out[0] = 0xfb;
  new DataView(out.buffer).setFloat64(1, x);
  return out;
}

function toHalf(x: number): number | undefined {
  if (Number.isNaN(x)) return 0x7e00;
  if (x === Infinity) return 0x7c00;
  if (x === -Infinity) return 0xfc00;
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === 0) return sign;
  for (let exp = -14; exp <= 15; exp++) {
    const mant = a / 2 ** exp;
    if (mant >= 1 && mant < 2) {
      const frac = (mant - 1) * 1024;
      return Number.isInteger(frac) ? sign | ((exp + 15) << 10) | frac : undefined;
    }
  }
  const sub = a / 2 ** -24;
  return Number.isInteger(sub) && sub < 1024 ? sign | sub : undefined;
}

/**
 * Encodes a value deterministically.
 *
 * @example
 * ```ts
 * import { encodeCbor } from "./encode.ts";
 * import { CborMap } from "./types.ts";
 * const bytes = encodeCbor(new CborMap([["b", 1], [1, "a"]]));
 * console.log(bytes); // Uint8Array [162, 1, 97, 97, 97, 98, 1]
 * ```
 * @param value The value.
 * @returns The encoding.
 * @throws {TypeError} for values outside the CBOR data model.
 */
export function encodeCbor(value: CborValue): Bytes {
  if (value === false) return new Uint8Array([0xf4]);
  if (value === true) return new Uint8Array([0xf5]);
  if (value === null) return new Uint8Array([0xf6]);
  if (value === undefined) return new Uint8Array([0xf7]);
  if (typeof value === "bigint") {
    if (value >= 0n && value < 2n ** 64n) return head(0, value);
    if (value < 0n && value >= -(2n ** 64n)) return head(1, -1n - value);
    throw new TypeError("CBOR integers must fit in 64 bits");
  }
  if (typeof value === "number") {
    if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
      return value >= 0 ? head(0, value) : head(1, -1n - BigInt(value));
    }
    return encodeFloat(value);
  }
  if (typeof value === "string") {
    const bytes = utf8(value);
    return concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return concat([head(2, value.length), value]);
  if (Array.isArray(value)) return concat([head(4, value.length), ...value.map(encodeCbor)]);
  if (value instanceof CborTag) return concat([head(6, value.tag), encodeCbor(value.value)]);
  if (value instanceof CborMap) {
    const pairs = [...value.entries()].map(([k, v]) => [encodeCbor(k), encodeCbor(v)] as const);
    pairs.sort((a, b) => compareBytes(a[0], b[0]));
    return concat([head(5, pairs.length), ...pairs.flat()]);
  }
  throw new TypeError(`Cannot encode ${typeof value} as CBOR`);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
