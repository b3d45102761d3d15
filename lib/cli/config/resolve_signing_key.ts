/**
 * Finds the key to sign with: `--key NAME`, else the default key of `signingkeys.json`. A key is
 * a local key pair, or a PKCS#11 key: stored as notation stores a plugin key, for ocisign's own
 * plugin (`"pluginName": "ocisign"`, the URI as `id`, the module and certificate paths in
 * `pluginConfig`), so that notation signs with it through `notation-ocisign`.
 *
 * @module
 */
import { ConfigError } from "../../errors.ts";
import { absolutePath } from "./config_dir.ts";
import type { ConfigIo } from "./config_dir.ts";
import { findSigningKey, readSigningKeys } from "./signing_keys.ts";

/** The plugin name under which PKCS#11 keys are stored (ocisign answers as this plugin). */
export const PKCS11_PLUGIN_NAME = "ocisign";

/** `pluginConfig` keys of a PKCS#11 key (notation passes them to the plugin as they are). */
export const PKCS11_CONFIG = {
  /** The PKCS#11 module's file path. */
  module: "module",
  /** The PEM certificate chain file, when the token holds no certificate. */
  certificate: "certificate",
  /** Where to read the PIN: `env:VAR` or `file:PATH` (never the PIN itself). */
  pinSource: "pin-source",
} as const;

/** A signing key: a local key pair, a key in a PKCS#11 token, or a key of a notation plugin. */
export type ResolvedSigningKey = LocalSigningKey | Pkcs11SigningKey | PluginSigningKey;

/** A key held by a notation plugin. */
export interface PluginSigningKey {
  /** Discriminant. */
  kind: "plugin";
  /** The key's name in `signingkeys.json`. */
  name: string;
  /** The plugin's name. */
  pluginName: string;
  /** The key id the plugin knows. */
  id: string;
  /** The plugin configuration. */
  pluginConfig: Record<string, string>;
}

/** A key in a PKCS#11 token. */
export interface Pkcs11SigningKey {
  /** Discriminant. */
  kind: "pkcs11";
  /** The key's name in `signingkeys.json`. */
  name: string;
  /** The RFC 7512 URI (without a PIN). */
  uri: string;
  /** The PKCS#11 module's path, when stored. */
  module?: string;
  /** Absolute path of the PEM certificate chain, when stored. */
  certPath?: string;
  /** Where to read the PIN (`env:VAR`, `file:PATH`), when stored. */
  pinSource?: string;
}

/** A local signing key: where its PEM private key and PEM certificate chain are. */
export interface LocalSigningKey {
  /** Discriminant. */
  kind: "local";
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
 * const key = await resolveSigningKey(io, args.key);
 * if (key.kind === "local") console.log(key.keyPath);
 * ```
 * @param io Environment and file access.
 * @param name The key name (`--key`), or undefined for the default key.
 * @returns The key: its name and file paths, or its PKCS#11 URI and module.
 * @throws {ConfigError} ERR_CONFIG when no name is given and no default is set, when
 *   `signingkeys.json` is invalid, or when the key has no key or certificate path.
 * @throws {NotFoundError} ERR_NOT_FOUND when no key has that name.
 * @throws {ConfigError} ERR_CONFIG when a plugin key lacks its plugin name or id.
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
  if (suite.pluginName === PKCS11_PLUGIN_NAME && suite.id !== undefined) {
    const config = suite.pluginConfig ?? {};
    const certificate = config[PKCS11_CONFIG.certificate];
    return {
      kind: "pkcs11",
      name: keyName,
      uri: suite.id,
      ...(config[PKCS11_CONFIG.module] ? { module: config[PKCS11_CONFIG.module] } : {}),
      ...(certificate ? { certPath: absolutePath(io.cwd, certificate) } : {}),
      ...(config[PKCS11_CONFIG.pinSource] ? { pinSource: config[PKCS11_CONFIG.pinSource] } : {}),
    };
  }
  if (suite.pluginName !== undefined || suite.id !== undefined) {
    if (suite.pluginName === undefined || suite.id === undefined) {
      throw new ConfigError(
        `signing key ${
          JSON.stringify(keyName)
        } in signingkeys.json has no pluginName or id; add it again with 'ocisign key add NAME --plugin P --id K'`,
      );
    }
    return {
      kind: "plugin",
      name: keyName,
      pluginName: suite.pluginName,
      id: suite.id,
      pluginConfig: suite.pluginConfig ?? {},
    };
  }
  if (suite.keyPath === undefined || suite.certPath === undefined) {
    throw new ConfigError(
      `signing key ${
        JSON.stringify(keyName)
      } in signingkeys.json has no keyPath or certPath; add it again with 'ocisign key add'`,
    );
  }
  return {
    kind: "local",
    name: keyName,
    keyPath: absolutePath(io.cwd, suite.keyPath),
    certPath: absolutePath(io.cwd, suite.certPath),
  };
}
