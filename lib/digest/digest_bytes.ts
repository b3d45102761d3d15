/**
 * One-shot digests of in-memory bytes with WebCrypto.
 *
 * @module
 */
import { toHex } from "../_internal/bytes.ts";
import type { DigestAlgorithm } from "./digest.ts";

const SUBTLE_NAME: Record<DigestAlgorithm, string> = {
  sha256: "SHA-256",
  sha384: "SHA-384",
  sha512: "SHA-512",
};

/**
 * Computes the digest string of bytes held in memory (manifests, envelopes, configs).
 *
 * @example
 * ```ts
 * import { digestBytes } from "./digest_bytes.ts";
 * const d = await digestBytes(new TextEncoder().encode("{}"));
 * console.log(d); // sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a
 * ```
 * @param bytes The content.
 * @param algorithm sha256 (default), sha384 or sha512.
 * @returns `<algorithm>:<hex>`.
 */
export async function digestBytes(
  bytes: Uint8Array,
  algorithm: DigestAlgorithm = "sha256",
): Promise<string> {
  const hash = await crypto.subtle.digest(SUBTLE_NAME[algorithm], bytes as Uint8Array<ArrayBuffer>);
  return `${algorithm}:${toHex(new Uint8Array(hash))}`;
}
