/**
 * Safety limits applied to untrusted input.
 *
 * @module
 */

/** Largest manifest, index, envelope or other metadata document read into memory (4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Default number of signatures tried by `verify` before giving up. */
export const DEFAULT_MAX_SIGNATURES = 100;
