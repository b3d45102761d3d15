/**
 * A {@linkcode HasherFactory} in pure TypeScript, for browsers and other runtimes without
 * `node:crypto`.
 *
 * @module
 */
import type { DigestAlgorithm } from "./digest.ts";
import type { Hasher } from "./hasher.ts";
import { Sha256 } from "./sha256.ts";
import { Sha384, Sha512 } from "./sha512.ts";

/**
 * Makes a pure-TypeScript incremental hasher.
 *
 * @example
 * ```ts
 * import { pureHasherFactory } from "./pure_hasher.ts";
 * const h = pureHasherFactory("sha256");
 * h.update(new TextEncoder().encode("{}"));
 * console.log(h.digestHex()); // 44136fa3...
 * ```
 * @param algorithm sha256, sha384 or sha512.
 * @returns A fresh hasher.
 */
export function pureHasherFactory(algorithm: DigestAlgorithm): Hasher {
  switch (algorithm) {
    case "sha256":
      return new Sha256();
    case "sha384":
      return new Sha384();
    case "sha512":
      return new Sha512();
  }
}
