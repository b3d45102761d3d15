/**
 * Finds the key to sign with: `--key NAME`, else the default key of `signingkeys.json`.
 *
 * @module
 */
import { ConfigError, UnsupportedError } from "../../errors.ts";
import { absolutePath } from "./config_dir.ts";
import type { ConfigIo } from "./config_dir.ts";
import { findSigningKey, readSigningKeys } from "./signing_keys.ts";

/** A local signing key: where its PEM private key and PEM certificate chain are. */
export interface ResolvedSigningKey {
  /** The key's name in `signingkeys.json`. */
  name: string;
  /** Absolute path of the PEM private key (PKCS#8, PKCS#1 or SEC 1). */
  keyPath: string;
  /** Absolute path of the PEM certificate chain, leaf first, root included. */
  certPath: string;
}

/**
 * Resolves a signing key by name, or the default key when `name` is undefined or empty.
 *
 * @example
 * ```ts ignore
 * import { resolveSigningKey } from "./resolve_signing_key.ts";
 * const { keyPath, certPath } = await resolveSigningKey(io, args.key);
 * const keyPem = new TextDecoder().decode(await io.fs.readFile(keyPath));
 * ```
 * @param io Environment and file access.
 * @param name The key name (`--key`), or undefined for the default key.
 * @returns The key's name and file paths.
 * @throws {ConfigError} ERR_CONFIG when no name is given and no default is set, when
 *   `signingkeys.json` is invalid, or when the key has no key or certificate path.
 * @throws {NotFoundError} ERR_NOT_FOUND when no key has that name.
 * @throws {UnsupportedError} ERR_UNSUPPORTED when it is a plugin key.
 */
export async function resolveSigningKey(
  io: ConfigIo,
  name?: string,
): Promise<ResolvedSigningKey> {
  const keys = await readSigningKeys(io);
  let keyName = name;
  if (keyName === undefined || keyName === "") {
    if (keys.default === undefined) {
      throw new ConfigError(
        "default signing key not set. Please set default signing key or specify a key name (ocisign key update --default NAME, or --key NAME)",
      );
    }
    keyName = keys.default;
  }
  const suite = findSigningKey(keys, keyName);
  if (suite.pluginName !== undefined || suite.id !== undefined) {
    throw new UnsupportedError(
      `signing key ${JSON.stringify(keyName)} uses the plugin ${
        JSON.stringify(suite.pluginName ?? "")
      }; plugin keys are not supported, use a local key (ocisign key add) instead`,
    );
  }
  if (suite.keyPath === undefined || suite.certPath === undefined) {
    throw new ConfigError(
      `signing key ${
        JSON.stringify(keyName)
      } in signingkeys.json has no keyPath or certPath; add it again with 'ocisign key add'`,
    );
  }
  return {
    name: keyName,
    keyPath: absolutePath(io.cwd, suite.keyPath),
    certPath: absolutePath(io.cwd, suite.certPath),
  };
}
