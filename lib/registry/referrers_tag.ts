/**
 * The referrers tag schema: when a registry has no referrers API, the referrers of a manifest are
 * kept in an image index tagged `<alg>-<hex>` (distribution-spec 1.1 "Referrers Tag Schema").
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#referrers-tag-schema
 * @module
 */
import { parseDigest } from "../digest/digest.ts";

/**
 * The fallback tag for a subject digest: `sha256:<hex>` → `sha256-<hex>`. Longer algorithms or
 * encodings are truncated to 32 and 64 characters as the spec's clarified rule says.
 *
 * @example
 * ```ts
 * import { referrersTag } from "./referrers_tag.ts";
 * console.log(referrersTag("sha256:" + "a".repeat(64)) === "sha256-" + "a".repeat(64)); // true
 * ```
 * @param digest The subject digest.
 * @returns The tag.
 * @throws {InvalidDigestError} ERR_INVALID_DIGEST when the digest is malformed.
 */
export function referrersTag(digest: string): string {
  const { algorithm, hex } = parseDigest(digest);
  return `${algorithm.slice(0, 32)}-${hex.slice(0, 64)}`.replace(/[^a-zA-Z0-9._-]/g, "-");
}
