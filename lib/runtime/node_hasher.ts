/**
 * A {@linkcode HasherFactory} backed by `node:crypto` (native and fast in Deno, Bun and Node),
 * with hashers on worker threads for large streams. Under Bun it uses the same native hashes
 * through `Bun.CryptoHasher`: loading `node:crypto` there loads Bun's whole stream library, a
 * few milliseconds of every command's start (`verify` hashes every blob it reads).
 *
 * @module
 */
import process from "node:process";
import type { DigestAlgorithm } from "../digest/digest.ts";
import type { Hasher, HasherFactory } from "../digest/hasher.ts";
import { hashThreadsByDefault, offThreadHasher } from "./worker_hasher.ts";

/** What the factory uses of Bun. */
interface BunCrypto {
  CryptoHasher: new (algorithm: DigestAlgorithm) => {
    update(bytes: Uint8Array): unknown;
    digest(encoding: "hex"): string;
  };
}

const bun = (globalThis as { Bun?: BunCrypto }).Bun;
let createHash: typeof import("node:crypto").createHash | undefined;

function nodeHasher(algorithm: DigestAlgorithm): Hasher {
  if (bun !== undefined) return bunHasher(bun, algorithm);
  createHash ??= process.getBuiltinModule("node:crypto").createHash;
  const hash = createHash(algorithm);
  return {
    update(bytes: Uint8Array): void {
      hash.update(bytes);
    },
    digestHex(): string {
      return hash.digest("hex");
    },
  };
}

function bunHasher(bun: BunCrypto, algorithm: DigestAlgorithm): Hasher {
  const hash = new bun.CryptoHasher(algorithm);
  return {
    update(bytes: Uint8Array): void {
      hash.update(bytes);
    },
    digestHex(): string {
      return hash.digest("hex");
    },
  };
}

let useThreads: boolean | undefined;

/**
 * Makes incremental hashers with `node:crypto`'s `createHash`; its `offThread` makes them on
 * worker threads for large streams where that pays (more than two cores, or
 * `OCISIGN_HASH_THREADS` of 1 or more; see `hashThreadsByDefault`).
 *
 * @example
 * ```ts
 * import { nodeHasherFactory } from "./node_hasher.ts";
 * const h = nodeHasherFactory("sha256");
 * h.update(new TextEncoder().encode("{}"));
 * console.log(h.digestHex()); // 44136fa3...
 * ```
 */
export const nodeHasherFactory: HasherFactory = Object.assign(nodeHasher, {
  offThread: (algorithm: DigestAlgorithm) => {
    useThreads ??= hashThreadsByDefault();
    return useThreads ? offThreadHasher(algorithm) : undefined;
  },
});
