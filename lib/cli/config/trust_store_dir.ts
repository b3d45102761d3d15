/**
 * Managing the trust store directories of the configuration directory
 * (`truststore/x509/{ca,signingAuthority,tsa}/<store>/<file>`) as `notation cert` does:
 * certificates are copied in by file name, listed, shown and deleted.
 *
 * @module
 */
import { AlreadyExistsError, NotFoundError, TrustStoreError } from "../../errors.ts";
import { FsTrustStore } from "../../trust/trust_store.ts";
import type { TrustStore } from "../../trust/trust_store.ts";
import {
  isTrustStoreType,
  NAMED_STORE_REGEXP,
  TRUST_STORE_TYPES,
} from "../../trust/trust_store_type.ts";
import type { TrustStoreType } from "../../trust/trust_store_type.ts";
import { parseCertificates } from "../../x509/certificate.ts";
import type { Certificate } from "../../x509/certificate.ts";
import { UsageError } from "../_args.ts";
import {
  baseName,
  CONFIG_FILE_MODE,
  ensureConfigDir,
  MAX_CONFIG_FILE_BYTES,
} from "./_config_file.ts";
import { absolutePath, configPaths, trustStorePath } from "./config_dir.ts";
import type { ConfigIo } from "./config_dir.ts";

/** One certificate file in a trust store. */
export interface TrustStoreEntry {
  /** Store type. */
  type: TrustStoreType;
  /** Store name. */
  store: string;
  /** File name. */
  file: string;
  /** Absolute path. */
  path: string;
}

/** A file that `listTrustStoreCertificates` skipped, and why. */
export interface SkippedTrustStoreFile {
  /** Absolute path. */
  path: string;
  /** Why it is not listed. */
  reason: string;
}

/** Filters of {@linkcode listTrustStoreCertificates}. */
export interface ListTrustStoreOptions {
  /** Only this store type (an unknown type lists nothing, as notation does). */
  type?: string;
  /** Only stores of this name. */
  store?: string;
}

/** Result of {@linkcode listTrustStoreCertificates}. */
export interface ListTrustStoreResult {
  /** Certificate files, sorted by type, store and file name. */
  entries: TrustStoreEntry[];
  /** Files that are not certificates (or are symlinks or directories). */
  skipped: SkippedTrustStoreFile[];
}

/**
 * Checks a store type and name given on the command line, with notation's messages.
 *
 * @example
 * ```ts
 * import { checkTrustStoreArgs } from "./trust_store_dir.ts";
 * const type = checkTrustStoreArgs("ca", "wabbit-networks.io");
 * console.log(type); // ca
 * ```
 * @param type The `--type` value.
 * @param store The `--store` value.
 * @returns The type.
 * @throws {UsageError} ERR_USAGE when the type is empty or unknown, or the name is invalid.
 */
export function checkTrustStoreArgs(
  type: string | undefined,
  store: string | undefined,
): TrustStoreType {
  if (type === undefined || type === "") {
    throw new UsageError("store type cannot be empty; use --type ca|signingAuthority|tsa");
  }
  if (!isTrustStoreType(type)) {
    throw new UsageError(`unsupported store type: ${type}; use ca, signingAuthority or tsa`);
  }
  if (store === undefined || store === "") {
    throw new UsageError("named store cannot be empty; use --store NAME");
  }
  if (!NAMED_STORE_REGEXP.test(store)) {
    throw new UsageError("named store name needs to follow [a-zA-Z0-9_.-]+ format");
  }
  return type;
}

function checkFileName(file: string): void {
  if (file === "" || file === "." || file === ".." || file.includes("/") || file.includes("\\")) {
    throw new UsageError(
      `${
        JSON.stringify(file)
      } is not a certificate file name; give the name as 'ocisign cert list' shows it`,
    );
  }
}

async function checkStoreDir(io: ConfigIo, dir: string): Promise<boolean> {
  const info = await io.fs.stat(dir);
  if (info === undefined) return false;
  if (info.isSymlink || !info.isDirectory) {
    throw new TrustStoreError(`${dir} is not a regular directory (symlinks are not supported)`);
  }
  return true;
}

/**
 * Copies a certificate file into a named store under its file name, as `notation cert add`
 * does. The file must hold at least one PEM or DER certificate; the store is created (0700) and
 * the copy written 0600. Whether the certificate suits the store is checked at verification.
 *
 * @example
 * ```ts ignore
 * const stored = await addTrustStoreCertificate(io, "ca", "wabbit-networks.io", "./root.crt");
 * ```
 * @param io Environment and file access.
 * @param type Store type.
 * @param store Store name.
 * @param file Path of the certificate file (relative to the working directory).
 * @returns The path of the stored copy.
 * @throws {NotFoundError} ERR_NOT_FOUND when the file does not exist.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when it holds no valid certificate.
 * @throws {AlreadyExistsError} ERR_ALREADY_EXISTS when the store has a file of that name.
 */
export async function addTrustStoreCertificate(
  io: ConfigIo,
  type: TrustStoreType,
  store: string,
  file: string,
): Promise<string> {
  checkTrustStoreArgs(type, store);
  const source = absolutePath(io.cwd, file);
  const bytes = await io.fs.readFile(source, { maxBytes: MAX_CONFIG_FILE_BYTES });
  parseCertificates(bytes);
  const dir = trustStorePath(configPaths(io), type, store);
  const target = `${dir}/${baseName(source)}`;
  if (await checkStoreDir(io, dir) && await io.fs.stat(target) !== undefined) {
    throw new AlreadyExistsError(
      `certificate already exists in the Trust Store: ${target}; delete it first or rename the file`,
    );
  }
  await ensureConfigDir(io.fs, dir);
  await io.fs.writeFileAtomic(target, bytes, { mode: CONFIG_FILE_MODE });
  return target;
}

async function listDirs(io: ConfigIo, dir: string): Promise<string[]> {
  if (!await io.fs.stat(dir)) return [];
  const entries = await io.fs.readDir(dir);
  return entries.filter((e) => e.isDirectory && !e.isSymlink).map((e) => e.name).sort(byteOrder);
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Lists the certificate files of the trust stores, optionally of one type and/or store name.
 * Files that do not parse as certificates are reported in `skipped`.
 *
 * @example
 * ```ts ignore
 * const { entries } = await listTrustStoreCertificates(io, { type: "ca" });
 * for (const e of entries) console.log(e.type, e.store, e.file);
 * ```
 * @param io Environment and file access.
 * @param options Type and store filters.
 * @returns The entries and the skipped files.
 */
export async function listTrustStoreCertificates(
  io: ConfigIo,
  options: ListTrustStoreOptions = {},
): Promise<ListTrustStoreResult> {
  const result: ListTrustStoreResult = { entries: [], skipped: [] };
  const types = options.type === undefined || options.type === ""
    ? TRUST_STORE_TYPES
    : TRUST_STORE_TYPES.filter((t) => t === options.type);
  const paths = configPaths(io);
  for (const type of types) {
    for (const store of await listDirs(io, trustStorePath(paths, type))) {
      if (options.store && options.store !== store) continue;
      const dir = trustStorePath(paths, type, store);
      const files = (await io.fs.readDir(dir)).sort((a, b) => byteOrder(a.name, b.name));
      for (const entry of files) {
        const path = `${dir}/${entry.name}`;
        if (!entry.isFile || entry.isSymlink) {
          result.skipped.push({ path, reason: "not a regular file" });
          continue;
        }
        try {
          parseCertificates(await io.fs.readFile(path, { maxBytes: MAX_CONFIG_FILE_BYTES }));
          result.entries.push({ type, store, file: entry.name, path });
        } catch (err) {
          result.skipped.push({ path, reason: (err as Error).message });
        }
      }
    }
  }
  return result;
}

/**
 * Reads the certificates of one file in a named store (`notation cert show`).
 *
 * @example
 * ```ts ignore
 * const certs = await readTrustStoreCertificate(io, "ca", "wabbit-networks.io", "root.crt");
 * ```
 * @param io Environment and file access.
 * @param entry Store type, store name and file name.
 * @returns The certificates, in file order, and the file's path.
 * @throws {NotFoundError} ERR_NOT_FOUND when the file does not exist.
 * @throws {CertificateInvalidError} ERR_CERTIFICATE_INVALID when it holds no valid certificate.
 * @throws {TrustStoreError} ERR_TRUST_STORE when it is a symlink or a directory.
 */
export async function readTrustStoreCertificate(
  io: ConfigIo,
  entry: { type: TrustStoreType; store: string; file: string },
): Promise<{ path: string; certificates: Certificate[] }> {
  checkTrustStoreArgs(entry.type, entry.store);
  checkFileName(entry.file);
  const path = trustStorePath(configPaths(io), entry.type, entry.store, entry.file);
  const info = await io.fs.stat(path);
  if (info === undefined) {
    throw new NotFoundError(
      `certificate ${entry.file} not found in trust store ${entry.store} of type ${entry.type}; list them with 'ocisign cert list'`,
    );
  }
  if (info.isSymlink || !info.isFile) {
    throw new TrustStoreError(
      `trusted certificate ${entry.file} in trust store ${entry.store} of type ${entry.type} is not a regular file (directories or symlinks are not supported)`,
    );
  }
  const certificates = parseCertificates(
    await io.fs.readFile(path, { maxBytes: MAX_CONFIG_FILE_BYTES }),
  );
  return { path, certificates };
}

/**
 * Deletes one certificate file from a named store, or (with `file` undefined) the whole store.
 *
 * @example
 * ```ts ignore
 * const removed = await deleteTrustStoreCertificate(io, { type: "ca", store: "s", file: "a.crt" });
 * ```
 * @param io Environment and file access.
 * @param entry Store type, store name and, to delete one file, its name.
 * @returns The deleted path.
 * @throws {NotFoundError} ERR_NOT_FOUND when the file or store does not exist.
 */
export async function deleteTrustStoreCertificate(
  io: ConfigIo,
  entry: { type: TrustStoreType; store: string; file?: string },
): Promise<string> {
  checkTrustStoreArgs(entry.type, entry.store);
  if (entry.file !== undefined) checkFileName(entry.file);
  const parts = entry.file === undefined
    ? [entry.type, entry.store]
    : [entry.type, entry.store, entry.file];
  const path = trustStorePath(configPaths(io), ...parts);
  if (await io.fs.stat(path) === undefined) {
    throw new NotFoundError(
      entry.file === undefined
        ? `trust store ${entry.store} of type ${entry.type} does not exist`
        : `certificate ${entry.file} not found in trust store ${entry.store} of type ${entry.type}`,
    );
  }
  await io.fs.remove(path, { recursive: entry.file === undefined });
  return path;
}

/**
 * The trust stores of the configuration directory, for verification.
 *
 * @example
 * ```ts ignore
 * const certs = await configTrustStore(io).getCertificates("ca", "wabbit-networks.io");
 * ```
 * @param io Environment and file access.
 * @returns A trust store reading `truststore/x509/` through `io.fs`.
 */
export function configTrustStore(io: ConfigIo): TrustStore {
  return new FsTrustStore(io.fs, configPaths(io).root);
}
