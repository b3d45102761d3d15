/**
 * Private helpers shared across ocisign's layers. Not part of the public API.
 *
 * @module
 */
export * from "./bytes.ts";
export * from "./limits.ts";
export * from "./keyed_lock.ts";
export * from "./redact_url.ts";
export * from "./crc32.ts";
