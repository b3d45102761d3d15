/**
 * Loading the OCI trust policy document from a configuration directory through an
 * {@linkcode Fs}: `trustpolicy.oci.json` first (notation 2.x), then `trustpolicy.json` (1.x).
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";
import { OcisignError, TrustPolicyError } from "../errors.ts";
import { parseTrustPolicyDocument, TRUST_POLICY_LINK } from "./trust_policy.ts";
import type { TrustPolicyDocument } from "./trust_policy.ts";

/** The policy file names, in the order they are tried. */
export const TRUST_POLICY_FILES: readonly string[] = Object.freeze([
  "trustpolicy.oci.json",
  "trustpolicy.json",
]);

/** Largest trust policy file read. */
export const MAX_TRUST_POLICY_BYTES = 4 * 1024 * 1024;

/**
 * Reads and validates the OCI trust policy of a configuration directory. The file must be a
 * regular file (symlinks are refused, as in notation).
 *
 * @example
 * ```ts ignore
 * import { loadTrustPolicyDocument } from "./load_trust_policy.ts";
 * const { document, file } = await loadTrustPolicyDocument(fs, configDir);
 * ```
 * @param fs File access.
 * @param configDir The configuration directory.
 * @returns The validated document and the file name it came from.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when absent, not a regular file, malformed or invalid.
 */
export async function loadTrustPolicyDocument(
  fs: Fs,
  configDir: string,
): Promise<{ document: TrustPolicyDocument; file: string }> {
  return await loadPolicyFile(fs, configDir, TRUST_POLICY_FILES, parseTrustPolicyDocument);
}

/**
 * Reads the first of `files` that exists in `configDir` (a regular file, not a symlink, at most
 * {@linkcode MAX_TRUST_POLICY_BYTES}) and parses it; the OCI and the blob trust policy are
 * loaded this way.
 *
 * @example
 * ```ts ignore
 * import { loadPolicyFile } from "./load_trust_policy.ts";
 * import { parseBlobTrustPolicyDocument } from "./blob_trust_policy.ts";
 * const { document } = await loadPolicyFile(fs, dir, ["trustpolicy.blob.json"], parseBlobTrustPolicyDocument);
 * ```
 * @param fs File access.
 * @param configDir The configuration directory.
 * @param files The file names, in the order they are tried.
 * @param parse Parses and validates the bytes.
 * @returns The document and the file name it came from.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when absent, not a regular file, malformed or invalid.
 */
export async function loadPolicyFile<T>(
  fs: Fs,
  configDir: string,
  files: readonly string[],
  parse: (bytes: Uint8Array) => T,
): Promise<{ document: T; file: string }> {
  const dir = configDir.replace(/\/+$/, "");
  for (const file of files) {
    const path = `${dir}/${file}`;
    const info = await fs.stat(path);
    if (info === undefined) continue;
    if (!info.isFile || info.isSymlink) {
      throw new TrustPolicyError(
        `trust policy is not a regular file (symlinks are not supported). To create a trust policy, see: ${TRUST_POLICY_LINK}`,
        { details: { file } },
      );
    }
    let bytes: Uint8Array;
    try {
      bytes = await fs.readFile(path, { maxBytes: MAX_TRUST_POLICY_BYTES });
    } catch (err) {
      throw new TrustPolicyError(
        `unable to read trust policy ${file}: ${(err as Error).message}`,
        { cause: err, details: { file } },
      );
    }
    try {
      return { document: parse(bytes), file };
    } catch (err) {
      if (err instanceof OcisignError) {
        throw new TrustPolicyError(err.message, {
          cause: err,
          details: { file, ...err.details },
        });
      }
      throw err;
    }
  }
  throw new TrustPolicyError(
    `trust policy is not present. To create a trust policy, see: ${TRUST_POLICY_LINK}`,
    { details: { missing: true } },
  );
}
