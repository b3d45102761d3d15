/**
 * Incremental hashing, injected so that the core stays Web-API-only: `lib/runtime/` supplies a
 * fast `node:crypto` factory (whose hashers may also run on another thread), and a
 * pure-TypeScript one serves everywhere else.
 *
 * @module
 */
import type { DigestAlgorithm } from "./digest.ts";

/** An incremental hash. */
export interface Hasher {
  /** Feeds bytes. */
  update(bytes: Uint8Array): void;
  /** Finishes and returns lower-case hex. The hasher cannot be used afterwards. */
  digestHex(): string;
}

/**
 * An incremental hash computed on another thread. The caller fills buffers that the hasher lends
 * and hands them back with {@linkcode OffThreadHasher.update}; they travel to the other thread
 * and back without being copied. A hasher lends only a few buffers at once, so a caller that
 * outruns the other thread waits in {@linkcode OffThreadHasher.buffer}.
 */
export interface OffThreadHasher {
  /** A free buffer to fill; waits while all of this hasher's buffers are being hashed. */
  buffer(): Promise<Uint8Array>;
  /**
   * Hashes the first `length` bytes of `buffer` (one that {@linkcode OffThreadHasher.buffer}
   * lent). The buffer is handed over: it must not be touched until lent again.
   */
  update(buffer: Uint8Array, length: number): void;
  /** Finishes and returns lower-case hex of everything updated. The hasher is done. */
  digestHex(): Promise<string>;
  /** Ends the hasher without a digest (the content failed or was cancelled). */
  abort(): void;
}

/**
 * Makes a fresh {@linkcode Hasher} for an algorithm. A factory may also offer hashers on another
 * thread ({@linkcode HasherFactory.offThread}), which stream verification uses for large
 * content; plain functions are factories too.
 */
export interface HasherFactory {
  (algorithm: DigestAlgorithm): Hasher;
  /** Makes a hasher on another thread, or undefined when none can run here. */
  readonly offThread?: (algorithm: DigestAlgorithm) => OffThreadHasher | undefined;
}
