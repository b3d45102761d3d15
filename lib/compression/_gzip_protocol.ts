/**
 * What the main thread and the gzip worker say to each other, and the one set of deflate
 * options both sides use.
 *
 * @module
 */

/** Level 6, mtime 0, no file name: the layer bytes every build must reproduce. */
export const GZIP_OPTIONS = { level: 6, mem: 8, mtime: 0 } as const;

/**
 * Chunks of input (transferred), each pushed to deflate on its own as on the main thread;
 * `final` ends the stream after them.
 */
export interface GzipRequest {
  chunks: Uint8Array<ArrayBuffer>[];
  final: boolean;
}

/** The compressed output of one request's chunks (transferred), or why deflate failed. */
export interface GzipReply {
  parts: Uint8Array<ArrayBuffer>[];
  error?: string;
}
