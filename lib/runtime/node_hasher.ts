/**
 * A {@linkcode HasherFactory} backed by `node:crypto` (native and fast in Deno, Bun and Node),
 * with hashers on worker threads for large streams. Under Bun it uses the same native hashes
 * through `Bun.CryptoHasher`: loading `node:crypto` there loads Bun's whole stream library, a
 * few milliseconds of every command's start (`verify` hashes every blob it reads). Under Deno,
 * `node:crypto` loads only once a hasher has been fed more than {@linkcode SMALL_INPUT} bytes;
 * smaller inputs (manifests, envelopes, small blobs) are hashed in TypeScript: Deno sets Node
 * compatibility up on the first `node:` module, about 15 ms, against well under a millisecond to
 * hash a few KiB.
 *
 * @module
 */
import type { DigestAlgorithm } from "../digest/digest.ts";
import type { Hasher, HasherFactory } from "../digest/hasher.ts";
import { pureHasherFactory } from "../digest/pure_hasher.ts";
import { hashThreadsByDefault, offThreadHasher } from "./worker_hasher.ts";

/** What the factory uses of Bun. */
interface BunCrypto {
  CryptoHasher: new (algorithm: DigestAlgorithm) => {
    update(bytes: Uint8Array): unknown;
    digest(encoding: "hex"): string;
  };
}

const bun = (globalThis as { Bun?: BunCrypto }).Bun;
const underDeno = (globalThis as { Deno?: unknown }).Deno !== undefined;
let createHash: typeof import("node:crypto").createHash | undefined;

/** Under Deno, what a hasher takes in before `node:crypto` is loaded for it. */
const SMALL_INPUT = 64 * 1024;

function nodeHasher(algorithm: DigestAlgorithm): Hasher {
  if (bun !== undefined) return bunHasher(bun, algorithm);
  if (underDeno) return new DenoHasher(algorithm);
  return nodeCryptoHasher(algorithm);
}

function nodeCryptoHasher(algorithm: DigestAlgorithm): Hasher {
  // `process` is looked up when used: under Deno its first use sets Node compatibility up.
  createHash ??= (globalThis as unknown as { process: typeof import("node:process") }).process
    .getBuiltinModule("node:crypto").createHash;
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

/**
 * Keeps (copies of) the first {@linkcode SMALL_INPUT} bytes; hashes them in TypeScript at the
 * end, or, once more come, passes them and the rest to `node:crypto`.
 */
class DenoHasher implements Hasher {
  readonly #algorithm: DigestAlgorithm;
  #kept: Uint8Array[] = [];
  #keptBytes = 0;
  #native: Hasher | undefined;

  constructor(algorithm: DigestAlgorithm) {
    this.#algorithm = algorithm;
  }

  update(bytes: Uint8Array): void {
    if (this.#native === undefined && this.#keptBytes + bytes.length <= SMALL_INPUT) {
      this.#kept.push(bytes.slice());
      this.#keptBytes += bytes.length;
      return;
    }
    if (this.#native === undefined) {
      this.#native = nodeCryptoHasher(this.#algorithm);
      for (const kept of this.#kept.splice(0)) this.#native.update(kept);
    }
    this.#native.update(bytes);
  }

  digestHex(): string {
    if (this.#native !== undefined) return this.#native.digestHex();
    const pure = pureHasherFactory(this.#algorithm);
    for (const kept of this.#kept.splice(0)) pure.update(kept);
    return pure.digestHex();
  }
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
