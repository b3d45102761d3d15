/**
 * A {@linkcode HasherFactory} backed by `node:crypto` (native and fast in Deno, Bun and Node).
 *
 * @module
 */
import { createHash } from "node:crypto";
import type { DigestAlgorithm } from "../digest/digest.ts";
import type { Hasher } from "../digest/hasher.ts";

/**
 * Makes incremental hashers with `node:crypto`'s `createHash`.
 *
 * @example
 * ```ts
 * import { nodeHasherFactory } from "./node_hasher.ts";
 * const h = nodeHasherFactory("sha256");
 * h.update(new TextEncoder().encode("{}"));
 * console.log(h.digestHex()); // 44136fa3...
 * ```
 * @param algorithm sha256, sha384 or sha512.
 * @returns A fresh hasher.
 */
export function nodeHasherFactory(algorithm: DigestAlgorithm): Hasher {
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
