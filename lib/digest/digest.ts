/**
 * Content digests (`<algorithm>:<hex>`) as the OCI image spec defines them.
 *
 * @see https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests
 * @module
 */
import { InvalidDigestError } from "../errors.ts";

/**
 * Digest algorithms ocisign can compute and verify. OCI content uses sha256 and sha512 (the
 * image spec's registered algorithms); sha384 appears only in Notary Project blob payloads.
 */
export type DigestAlgorithm = "sha256" | "sha384" | "sha512";

/** The digest algorithms of OCI content (the image spec's registered ones). */
export const OCI_DIGEST_ALGORITHMS: readonly DigestAlgorithm[] = Object.freeze([
  "sha256",
  "sha512",
]);

/** Options of {@linkcode parseDigest}. */
export interface ParseDigestOptions {
  /** The algorithms accepted (default {@linkcode OCI_DIGEST_ALGORITHMS}). */
  algorithms?: readonly DigestAlgorithm[];
}

/** A parsed digest. */
export interface ParsedDigest {
  /** The algorithm. */
  algorithm: DigestAlgorithm;
  /** Lower-case hex of the hash. */
  hex: string;
}

const HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** Matches the image-spec digest grammar. */
export const DIGEST_REGEXP = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Parses and validates a digest; only sha256 and sha512 with lower-case hex of the right length
 * are accepted (the registered algorithms of the image spec), unless `options.algorithms` says
 * otherwise.
 *
 * @example
 * ```ts
 * import { parseDigest } from "./digest.ts";
 * const d = parseDigest("sha256:" + "a".repeat(64));
 * console.log(d.algorithm); // "sha256"
 * ```
 * @param digest The text.
 * @param options The algorithms accepted.
 * @returns The parsed digest.
 * @throws {InvalidDigestError} ERR_INVALID_DIGEST when malformed or unsupported.
 */
export function parseDigest(digest: string, options: ParseDigestOptions = {}): ParsedDigest {
  if (typeof digest !== "string" || !DIGEST_REGEXP.test(digest)) {
    throw new InvalidDigestError(String(digest), "not of the form <algorithm>:<encoded>");
  }
  const i = digest.indexOf(":");
  const algorithm = digest.slice(0, i) as DigestAlgorithm;
  const hex = digest.slice(i + 1);
  if (!(options.algorithms ?? OCI_DIGEST_ALGORITHMS).includes(algorithm)) {
    throw new InvalidDigestError(digest, `unsupported algorithm "${algorithm}"`);
  }
  if (hex.length !== HEX_LENGTH[algorithm] || !/^[0-9a-f]+$/.test(hex)) {
    throw new InvalidDigestError(
      digest,
      `${algorithm} needs ${HEX_LENGTH[algorithm]} lower-case hex characters`,
    );
  }
  return { algorithm, hex };
}

/** Whether the text is a valid, supported digest. */
export function isDigest(digest: string): boolean {
  try {
    parseDigest(digest);
    return true;
  } catch {
    return false;
  }
}
