/**
 * The blob trust policy file of the configuration directory, `trustpolicy.blob.json`, beside
 * the OCI trust policy (notation 2's layout).
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { AlreadyExistsError, isErrorCode, TrustPolicyError } from "../../errors.ts";
import {
  BLOB_TRUST_POLICY_FILE,
  loadBlobTrustPolicyDocument,
  parseBlobTrustPolicyDocument,
} from "../../trust/blob_trust_policy.ts";
import type { BlobTrustPolicyDocument } from "../../trust/blob_trust_policy.ts";
import { readConfigFile, writeConfigFile } from "./_config_file.ts";
import { configPaths, joinPath } from "./config_dir.ts";
import type { ConfigIo } from "./config_dir.ts";
import type { CliIo } from "../io.ts";

const CREATE_HINT = "(or run 'ocisign blob policy init' or 'ocisign blob policy import <file>')";

/**
 * The path of `trustpolicy.blob.json`.
 *
 * @example
 * ```ts ignore
 * const path = blobTrustPolicyPath(io);
 * ```
 * @param io Environment.
 * @returns The path.
 */
export function blobTrustPolicyPath(io: ConfigIo): string {
  return joinPath(configPaths(io).root, BLOB_TRUST_POLICY_FILE);
}

/**
 * Reads the raw blob trust policy file.
 *
 * @example
 * ```ts ignore
 * const bytes = await readBlobTrustPolicyFile(io);
 * ```
 * @param io Environment and file access.
 * @returns Its bytes, or undefined when it does not exist.
 * @throws {ConfigError} ERR_CONFIG when it is a symlink or not a regular file.
 */
export async function readBlobTrustPolicyFile(io: ConfigIo): Promise<Bytes | undefined> {
  return await readConfigFile(io.fs, blobTrustPolicyPath(io));
}

/**
 * Reads, parses and validates the blob trust policy.
 *
 * @example
 * ```ts ignore
 * const statement = selectBlobTrustPolicy(await loadBlobTrustPolicy(io), args["policy-name"]);
 * ```
 * @param io Environment and file access.
 * @returns The validated document.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when missing, malformed or invalid.
 */
export async function loadBlobTrustPolicy(io: ConfigIo): Promise<BlobTrustPolicyDocument> {
  try {
    return await loadBlobTrustPolicyDocument(io.fs, configPaths(io).root);
  } catch (err) {
    if (isErrorCode(err, "ERR_TRUST_POLICY") && err.details?.missing === true) {
      throw new TrustPolicyError(`${err.message} ${CREATE_HINT}`, { cause: err });
    }
    throw err;
  }
}

/**
 * Validates and writes the blob trust policy (0600, atomically). An existing file is replaced
 * only with `force` (and a warning on stderr).
 *
 * @example
 * ```ts ignore
 * const path = await writeBlobTrustPolicyFile(io, bytes, args.force === true);
 * ```
 * @param io Environment, file access and stderr.
 * @param bytes The document, written byte for byte.
 * @param force Whether an existing file may be replaced.
 * @returns The path written.
 * @throws {TrustPolicyError} ERR_TRUST_POLICY when the document is malformed or invalid.
 * @throws {AlreadyExistsError} ERR_ALREADY_EXISTS when the file exists and `force` is false.
 */
export async function writeBlobTrustPolicyFile(
  io: ConfigIo & Pick<CliIo, "stderr">,
  bytes: Uint8Array,
  force: boolean,
): Promise<string> {
  parseBlobTrustPolicyDocument(bytes);
  const path = blobTrustPolicyPath(io);
  if (await io.fs.stat(path) !== undefined) {
    if (!force) {
      throw new AlreadyExistsError(
        `The blob trust policy file ${path} already exists; use --force to overwrite it`,
      );
    }
    io.stderr("Warning: existing blob trust policy configuration will be overwritten\n");
  }
  await writeConfigFile(io.fs, path, bytes);
  return path;
}
