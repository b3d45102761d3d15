/**
 * Digests: parsing, one-shot hashing, incremental hashers and stream verification.
 *
 * @module
 */
export * from "./digest.ts";
export * from "./digest_bytes.ts";
export type * from "./hasher.ts";
