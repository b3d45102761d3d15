/**
 * A small, strict CBOR codec (RFC 8949) for COSE envelopes: deterministic encoding, and a
 * decoder that refuses indefinite lengths, duplicate keys, trailing bytes and deep nesting.
 *
 * @example
 * ```ts
 * import { CborMap, decodeCbor, encodeCbor } from "./mod.ts";
 * const map = decodeCbor(encodeCbor(new CborMap([[1, -7]]))) as CborMap;
 * console.log(map.get(1)); // -7
 * ```
 * @module
 */
export * from "./types.ts";
export * from "./encode.ts";
export * from "./decode.ts";
