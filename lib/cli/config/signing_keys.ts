/**
 * `signingkeys.json`: the named signing keys, in notation's format, so a notation configuration
 * directory can be used as is (and the other way round).
 *
 * ```json
 * {
 *     "default": "wabbit-networks.io",
 *     "keys": [
 *         {
 *             "name": "wabbit-networks.io",
 *             "keyPath": "/home/u/.config/ocisign/localkeys/wabbit-networks.io.key",
 *             "certPath": "/home/u/.config/ocisign/localkeys/wabbit-networks.io.crt"
 *         }
 *     ]
 * }
 * ```
 *
 * @module
 */
import { fromUtf8 } from "../../_internal/bytes.ts";
import { AlreadyExistsError, ConfigError, NotFoundError } from "../../errors.ts";
import { encodeConfigJson, readConfigFile, writeConfigFile } from "./_config_file.ts";
import { configPaths } from "./config_dir.ts";
import type { ConfigIo } from "./config_dir.ts";

/** One named key: a local key pair (`keyPath` + `certPath`) or a plugin key (`id` + `pluginName`). */
export interface KeySuite {
  /** Unique name. */
  name: string;
  /** Absolute path of the PEM private key. */
  keyPath?: string;
  /** Absolute path of the PEM certificate chain (leaf first, root included). */
  certPath?: string;
  /** Plugin key id. */
  id?: string;
  /** Plugin name. */
  pluginName?: string;
  /** Plugin configuration. */
  pluginConfig?: Record<string, string>;
}

/** The content of `signingkeys.json`. */
export interface SigningKeys {
  /** Name of the default key, when one is set. */
  default?: string;
  /** The keys, in file order. */
  keys: KeySuite[];
}

const FILE = "signingkeys.json";

/** Go `encoding/json` field lookup: exact or case-insensitive name; the last match wins. */
function goField(obj: Record<string, unknown>, name: string): unknown {
  let found: unknown;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(obj)) {
    if (key.toLowerCase() === lower) found = value;
  }
  return found;
}

function malformed(reason: string): ConfigError {
  return new ConfigError(`malformed ${FILE}: ${reason}`);
}

function optionalString(
  obj: Record<string, unknown>,
  name: string,
  what: string,
): string | undefined {
  const value = goField(obj, name);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw malformed(`${what}.${name} is not a string`);
  return value === "" ? undefined : value;
}

function decodeKeySuite(value: unknown, index: number): KeySuite {
  const what = `keys[${index}]`;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw malformed(`${what} is not an object`);
  }
  const obj = value as Record<string, unknown>;
  const suite: KeySuite = { name: optionalString(obj, "name", what) ?? "" };
  for (const field of ["keyPath", "certPath", "id", "pluginName"] as const) {
    const v = optionalString(obj, field, what);
    if (v !== undefined) suite[field] = v;
  }
  const config = goField(obj, "pluginConfig");
  if (config !== undefined && config !== null) {
    if (typeof config !== "object" || Array.isArray(config)) {
      throw malformed(`${what}.pluginConfig is not an object`);
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(config)) {
      if (typeof v !== "string") throw malformed(`${what}.pluginConfig.${k} is not a string`);
      out[k] = v;
    }
    if (Object.keys(out).length > 0) suite.pluginConfig = out;
  }
  return suite;
}

/**
 * Checks the rules notation enforces: key names are non-empty and unique, and the default (when
 * set) is non-empty and names an existing key.
 *
 * @example
 * ```ts
 * import { validateSigningKeys } from "./signing_keys.ts";
 * try {
 *   validateSigningKeys({ default: "b", keys: [{ name: "a" }] });
 * } catch (err) {
 *   console.log((err as Error).message); // malformed signingkeys.json: default key 'b' not found
 * }
 * ```
 * @param keys The signing keys.
 * @throws {ConfigError} ERR_CONFIG with notation's message for the first violation.
 */
export function validateSigningKeys(keys: SigningKeys): void {
  const names = new Set<string>();
  for (const key of keys.keys) {
    if (key.name === "") throw malformed("key name cannot be empty");
    if (names.has(key.name)) throw malformed(`multiple keys with name '${key.name}' found`);
    names.add(key.name);
  }
  if (keys.default !== undefined) {
    if (keys.default === "") throw malformed("default key name cannot be empty");
    if (!names.has(keys.default)) throw malformed(`default key '${keys.default}' not found`);
  }
}

/**
 * Parses and validates `signingkeys.json` as notation reads it (field names case-insensitive,
 * unknown fields ignored).
 *
 * @example
 * ```ts
 * import { parseSigningKeys } from "./signing_keys.ts";
 * const keys = parseSigningKeys('{"default":"a","keys":[{"name":"a","keyPath":"/k","certPath":"/c"}]}');
 * console.log(keys.default, keys.keys[0]?.certPath); // a /c
 * ```
 * @param source The file's bytes or text.
 * @returns The signing keys.
 * @throws {ConfigError} ERR_CONFIG when malformed or invalid.
 */
export function parseSigningKeys(source: Uint8Array | string): SigningKeys {
  let json: unknown;
  try {
    json = JSON.parse(typeof source === "string" ? source : fromUtf8(source));
  } catch (err) {
    throw malformed(`not valid JSON (${(err as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw malformed("the document is not a JSON object");
  }
  const obj = json as Record<string, unknown>;
  const rawKeys = goField(obj, "keys");
  if (rawKeys !== undefined && rawKeys !== null && !Array.isArray(rawKeys)) {
    throw malformed("keys is not an array");
  }
  const defaultValue = goField(obj, "default");
  if (defaultValue !== undefined && defaultValue !== null && typeof defaultValue !== "string") {
    throw malformed("default is not a string");
  }
  const keys: SigningKeys = { keys: ((rawKeys ?? []) as unknown[]).map(decodeKeySuite) };
  if (typeof defaultValue === "string") keys.default = defaultValue;
  validateSigningKeys(keys);
  return keys;
}

/**
 * Serialises signing keys exactly as notation writes `signingkeys.json`.
 *
 * @example
 * ```ts
 * import { encodeSigningKeys } from "./signing_keys.ts";
 * const text = new TextDecoder().decode(encodeSigningKeys({ keys: [] }));
 * console.log(text); // {\n    "keys": []\n}\n
 * ```
 * @param keys The signing keys.
 * @returns UTF-8 JSON with 4-space indentation and a trailing newline.
 */
export function encodeSigningKeys(keys: SigningKeys): Uint8Array {
  const out: Record<string, unknown> = {};
  if (keys.default !== undefined) out.default = keys.default;
  out.keys = keys.keys.map((k) => {
    const o: Record<string, unknown> = { name: k.name };
    for (const field of ["keyPath", "certPath", "id", "pluginName"] as const) {
      if (k[field]) o[field] = k[field];
    }
    if (k.pluginConfig && Object.keys(k.pluginConfig).length > 0) {
      o.pluginConfig = Object.fromEntries(
        Object.entries(k.pluginConfig).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      );
    }
    return o;
  });
  return encodeConfigJson(out);
}

/**
 * Reads `signingkeys.json` of the configuration directory; a missing file is an empty list.
 *
 * @example
 * ```ts ignore
 * const keys = await readSigningKeys(io);
 * console.log(keys.default);
 * ```
 * @param io Environment and file access.
 * @returns The signing keys.
 * @throws {ConfigError} ERR_CONFIG when the file is malformed, invalid or a symlink.
 */
export async function readSigningKeys(io: ConfigIo): Promise<SigningKeys> {
  const bytes = await readConfigFile(io.fs, configPaths(io).signingKeys);
  return bytes === undefined ? { keys: [] } : parseSigningKeys(bytes);
}

/**
 * Validates and writes `signingkeys.json` (0600, directory 0700, atomically).
 *
 * @example
 * ```ts ignore
 * await writeSigningKeys(io, { keys: [] });
 * ```
 * @param io Environment and file access.
 * @param keys The signing keys.
 * @throws {ConfigError} ERR_CONFIG when the keys break notation's rules.
 */
export async function writeSigningKeys(io: ConfigIo, keys: SigningKeys): Promise<void> {
  validateSigningKeys(keys);
  await writeConfigFile(io.fs, configPaths(io).signingKeys, encodeSigningKeys(keys));
}

/**
 * Returns the keys with `suite` appended (and made the default with `markDefault`).
 *
 * @example
 * ```ts
 * import { addSigningKey } from "./signing_keys.ts";
 * const keys = addSigningKey({ keys: [] }, { name: "a", keyPath: "/k", certPath: "/c" }, true);
 * console.log(keys.default); // a
 * ```
 * @param keys The current keys.
 * @param suite The key to add.
 * @param markDefault Whether it becomes the default key.
 * @returns The new keys.
 * @throws {AlreadyExistsError} ERR_ALREADY_EXISTS when a key of that name exists.
 */
export function addSigningKey(
  keys: SigningKeys,
  suite: KeySuite,
  markDefault: boolean,
): SigningKeys {
  if (keys.keys.some((k) => k.name === suite.name)) {
    throw new AlreadyExistsError(
      `signing key with name ${
        JSON.stringify(suite.name)
      } already exists; delete it first with 'ocisign key delete ${suite.name}'`,
    );
  }
  const next: SigningKeys = { keys: [...keys.keys, suite] };
  const def = markDefault ? suite.name : keys.default;
  if (def !== undefined) next.default = def;
  return next;
}

/**
 * Returns the keys with `name` as the default key.
 *
 * @example
 * ```ts
 * import { setDefaultSigningKey } from "./signing_keys.ts";
 * console.log(setDefaultSigningKey({ keys: [{ name: "a" }] }, "a").default); // a
 * ```
 * @param keys The current keys.
 * @param name An existing key name.
 * @returns The new keys.
 * @throws {NotFoundError} ERR_NOT_FOUND when no key has that name.
 */
export function setDefaultSigningKey(keys: SigningKeys, name: string): SigningKeys {
  findSigningKey(keys, name);
  return { default: name, keys: keys.keys };
}

/**
 * Returns the keys without the named ones (the default is unset when it is removed).
 *
 * @example
 * ```ts
 * import { removeSigningKeys } from "./signing_keys.ts";
 * const keys = removeSigningKeys({ default: "a", keys: [{ name: "a" }, { name: "b" }] }, ["a"]);
 * console.log(keys.default, keys.keys.length); // undefined 1
 * ```
 * @param keys The current keys.
 * @param names Names to remove.
 * @returns The new keys.
 * @throws {NotFoundError} ERR_NOT_FOUND when a name is not in the list (nothing is removed).
 */
export function removeSigningKeys(keys: SigningKeys, names: readonly string[]): SigningKeys {
  for (const name of names) findSigningKey(keys, name);
  const next: SigningKeys = { keys: keys.keys.filter((k) => !names.includes(k.name)) };
  if (keys.default !== undefined && !names.includes(keys.default)) next.default = keys.default;
  return next;
}

/**
 * Finds a key by name.
 *
 * @example
 * ```ts
 * import { findSigningKey } from "./signing_keys.ts";
 * console.log(findSigningKey({ keys: [{ name: "a", id: "x" }] }, "a").id); // x
 * ```
 * @param keys The keys.
 * @param name The name.
 * @returns The key.
 * @throws {NotFoundError} ERR_NOT_FOUND when there is no such key.
 */
export function findSigningKey(keys: SigningKeys, name: string): KeySuite {
  const key = keys.keys.find((k) => k.name === name);
  if (!key) {
    throw new NotFoundError(
      `signing key ${JSON.stringify(name)} not found; list the keys with 'ocisign key list'`,
    );
  }
  return key;
}
