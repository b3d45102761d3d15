/**
 * The trust policy file of the configuration directory: `trustpolicy.oci.json` when it exists
 * (notation 2.x), else `trustpolicy.json` (notation 1.x).
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { isErrorCode, TrustPolicyError } from "../../errors.ts";
import { loadTrustPolicyDocument } from "../../trust/load_trust_policy.ts";
import { parseTrustPolicyDocument, TRUST_POLICY_LINK } from "../../trust/trust_policy.ts";
import type { TrustPolicyDocument } from "../../trust/trust_policy.ts";
import { readConfigFile, writeConfigFile } from "./_config_file.ts";
import { configPaths } from "./config_dir.ts";
import type { ConfigIo } from "./config_dir.ts";

const CREATE_HINT = "(or run 'ocisign policy init' or 'ocisign policy import <file>')";

/** The raw trust policy file. */
export interface TrustPolicyFile {
  /** Its path. */
  path: string;
  /** Its bytes, unparsed. */
  bytes: Bytes;
}

/**
 * Reads the raw trust policy file in effect.
 *
 * @example
 * ```ts ignore
 * const { path, bytes } = await readTrustPolicyFile(io);
 * ```
 * @param io Environment and file access.
 * @returns Its path and bytes.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY with notation's message when neither file exists.
 * @throws {ConfigError} ERR_CONFIG when it is a symlink or not a regular file.
 */
export async function readTrustPolicyFile(io: ConfigIo): Promise<TrustPolicyFile> {
  for (const path of configPaths(io).trustPolicies) {
    const bytes = await readConfigFile(io.fs, path);
    if (bytes !== undefined) return { path, bytes };
  }
  throw new TrustPolicyError(
    `trust policy is not present. To create a trust policy, see: ${TRUST_POLICY_LINK} ${CREATE_HINT}`,
  );
}

/**
 * Reads, parses and validates the trust policy in effect.
 *
 * @example
 * ```ts ignore
 * const policy = await loadTrustPolicy(io);
 * const statement = selectTrustPolicy(policy, "localhost:5000/hello@sha256:...");
 * ```
 * @param io Environment and file access.
 * @returns The validated document.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when missing, malformed or invalid (notation's messages).
 */
export async function loadTrustPolicy(io: ConfigIo): Promise<TrustPolicyDocument> {
  try {
    return (await loadTrustPolicyDocument(io.fs, configPaths(io).root)).document;
  } catch (err) {
    if (isErrorCode(err, "ERR_TRUST_POLICY") && err.details?.missing === true) {
      throw new TrustPolicyError(`${err.message} ${CREATE_HINT}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Where a new trust policy is written: over `trustpolicy.oci.json` when that file exists (it
 * shadows the other), else `trustpolicy.json`, which notation 1.x and 2.x both read.
 *
 * @example
 * ```ts ignore
 * const path = await trustPolicyWritePath(io);
 * ```
 * @param io Environment and file access.
 * @returns The path.
 */
export async function trustPolicyWritePath(io: ConfigIo): Promise<string> {
  const [oci, legacy] = configPaths(io).trustPolicies;
  return await io.fs.stat(oci) !== undefined ? oci : legacy;
}

/**
 * Validates and writes a trust policy document (0600, atomically) at
 * {@linkcode trustPolicyWritePath}.
 *
 * @example
 * ```ts ignore
 * const path = await writeTrustPolicyFile(io, await Deno.readFile("policy.json"));
 * ```
 * @param io Environment and file access.
 * @param bytes The document, written byte for byte.
 * @returns The path written.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when the document is malformed or invalid.
 */
export async function writeTrustPolicyFile(io: ConfigIo, bytes: Uint8Array): Promise<string> {
  parseTrustPolicyDocument(bytes);
  const path = await trustPolicyWritePath(io);
  await writeConfigFile(io.fs, path, bytes);
  return path;
}
