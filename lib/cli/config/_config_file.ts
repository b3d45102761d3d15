/**
 * Reading and writing files of the configuration directory as notation does: regular files only
 * (symlinks are refused), JSON written with 4-space indentation and Go's HTML escaping, files
 * 0600 and directories 0700.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { utf8 } from "../../_internal/bytes.ts";
import type { Fs } from "../../content/fs.ts";
import { ConfigError } from "../../errors.ts";

/** Largest configuration file read (signingkeys.json, trust policy). */
export const MAX_CONFIG_FILE_BYTES = 4 * 1024 * 1024;

/** Mode of files written into the configuration directory. */
export const CONFIG_FILE_MODE = 0o600;

/** Mode of directories created in the configuration directory. */
export const CONFIG_DIR_MODE = 0o700;

const GO_HTML_ESCAPES: Readonly<Record<string, string>> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};

/**
 * Serialises a value as Go's `json.Encoder` with `SetIndent("", "    ")` does (notation's
 * config writer): 4-space indentation, `<`, `>`, `&`, U+2028/U+2029 escaped, trailing newline.
 *
 * @param value A JSON value, with object keys in the order to write.
 * @returns UTF-8 bytes.
 */
export function encodeConfigJson(value: unknown): Bytes {
  // Those characters never occur outside strings in JSON text, so escaping them globally is safe.
  const text = JSON.stringify(value, null, 4).replace(
    /[<>&\u2028\u2029]/g,
    (c) => GO_HTML_ESCAPES[c]!,
  );
  return utf8(text + "\n");
}

/**
 * Reads a configuration file, or `undefined` when it does not exist.
 *
 * @param fs File access.
 * @param path The file.
 * @returns Its bytes, or undefined when missing.
 * @throws {ConfigError} ERR_CONFIG when it is a symlink, not a regular file, or too large.
 */
export async function readConfigFile(fs: Fs, path: string): Promise<Bytes | undefined> {
  const info = await fs.stat(path);
  if (info === undefined) return undefined;
  if (info.isSymlink) {
    throw new ConfigError(`${path} is a symbolic link; replace it with a regular file`);
  }
  if (!info.isFile) throw new ConfigError(`${path} is not a regular file`);
  try {
    return await fs.readFile(path, { maxBytes: MAX_CONFIG_FILE_BYTES });
  } catch (err) {
    throw new ConfigError(`Cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Creates a directory and its parents with mode 0700 (existing directories are kept).
 *
 * @param fs File access.
 * @param path The directory.
 */
export async function ensureConfigDir(fs: Fs, path: string): Promise<void> {
  await fs.mkdir(path, { recursive: true, mode: CONFIG_DIR_MODE });
}

/**
 * Writes a configuration file atomically with mode 0600, creating its directory (0700).
 *
 * @param fs File access.
 * @param path The file.
 * @param data The content.
 */
export async function writeConfigFile(fs: Fs, path: string, data: Uint8Array): Promise<void> {
  await ensureConfigDir(fs, parentDir(path));
  await fs.writeFileAtomic(path, data, { mode: CONFIG_FILE_MODE });
}

/**
 * The directory part of a `/`-separated path.
 *
 * @param path A path.
 * @returns Everything before the last `/` (`/` for top-level paths).
 */
export function parentDir(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/**
 * The last segment of a `/`-separated path.
 *
 * @param path A path.
 * @returns The file name.
 */
export function baseName(path: string): string {
  const trimmed = path.replace(/\/+$/, "");
  return trimmed.slice(trimmed.lastIndexOf("/") + 1);
}
