/**
 * The configuration directory, laid out exactly like notation's so that pointing
 * `OCISIGN_CONFIG_DIR` at a notation config directory just works.
 *
 * ```
 * <dir>/signingkeys.json
 * <dir>/localkeys/<name>.key (0600) and <name>.crt
 * <dir>/truststore/x509/{ca,signingAuthority,tsa}/<store>/<files>
 * <dir>/trustpolicy.oci.json (read first), <dir>/trustpolicy.json
 * ```
 *
 * @module
 */
import type { CliIo } from "../io.ts";

/** The part of {@linkcode CliIo} the configuration directory needs. */
export type ConfigIo = Pick<CliIo, "env" | "cwd" | "home" | "fs">;

/** Paths inside one configuration directory. */
export interface ConfigPaths {
  /** The directory itself. */
  root: string;
  /** `signingkeys.json`. */
  signingKeys: string;
  /** `localkeys/`. */
  localKeys: string;
  /** `truststore/x509/`. */
  trustStoreRoot: string;
  /** Policy files in the order they are tried. */
  trustPolicies: [string, string];
}

/**
 * Joins path parts with `/`, collapsing duplicate separators.
 *
 * @example
 * ```ts
 * import { joinPath } from "./config_dir.ts";
 * console.log(joinPath("/a/", "b", "c.json")); // /a/b/c.json
 * ```
 * @param parts Path parts (empty parts are skipped).
 * @returns The joined path.
 */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/").replace(/\/{2,}/g, "/");
}

/**
 * Resolves `path` against `cwd` unless it is absolute, and removes `.` and `..` segments.
 *
 * @example
 * ```ts
 * import { absolutePath } from "./config_dir.ts";
 * console.log(absolutePath("/srv/project", "./keys/../a.key")); // /srv/project/a.key
 * ```
 * @param cwd The directory relative paths start from.
 * @param path An absolute or relative path.
 * @returns The absolute, normalized path.
 */
export function absolutePath(cwd: string, path: string): string {
  const joined = path.startsWith("/") ? path : joinPath(cwd, path);
  const out: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return "/" + out.join("/");
}

/**
 * Finds the configuration directory: `$OCISIGN_CONFIG_DIR`, else `$XDG_CONFIG_HOME/ocisign`,
 * else `~/.config/ocisign`.
 *
 * @example
 * ```ts ignore
 * const paths = configPaths(io);
 * console.log(paths.signingKeys);
 * ```
 * @param io Environment, working and home directory.
 * @returns The paths inside the configuration directory.
 */
export function configPaths(io: ConfigIo): ConfigPaths {
  const explicit = io.env("OCISIGN_CONFIG_DIR");
  const xdg = io.env("XDG_CONFIG_HOME");
  const root = explicit
    ? absolutePath(io.cwd, explicit)
    : xdg
    ? joinPath(absolutePath(io.cwd, xdg), "ocisign")
    : joinPath(io.home, ".config", "ocisign");
  return {
    root,
    signingKeys: joinPath(root, "signingkeys.json"),
    localKeys: joinPath(root, "localkeys"),
    trustStoreRoot: joinPath(root, "truststore", "x509"),
    trustPolicies: [joinPath(root, "trustpolicy.oci.json"), joinPath(root, "trustpolicy.json")],
  };
}

/**
 * The path of a trust store type directory, a named store, or a file in it:
 * `<dir>/truststore/x509/<type>[/<store>[/<file>]]`.
 *
 * @example
 * ```ts ignore
 * const dir = trustStorePath(configPaths(io), "ca", "wabbit-networks.io");
 * ```
 * @param paths The configuration paths.
 * @param parts Store type, then optionally store name and file name.
 * @returns The joined path.
 */
export function trustStorePath(paths: ConfigPaths, ...parts: string[]): string {
  return joinPath(paths.trustStoreRoot, ...parts);
}
