/**
 * Incremental hashing, injected so that the core stays Web-API-only: `lib/runtime/` supplies a
 * fast `node:crypto` factory, and a pure-TypeScript one serves everywhere else.
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

/** Makes a fresh {@linkcode Hasher} for an algorithm. */
export type HasherFactory = (algorithm: DigestAlgorithm) => Hasher;
