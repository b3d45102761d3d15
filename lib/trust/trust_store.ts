/**
 * Trust stores: named sets of trusted certificates kept under
 * `<configDir>/truststore/x509/{ca,signingAuthority,tsa}/<name>/`, read through the injected
 * {@linkcode Fs} and checked as notation checks them.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-store
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { Op } from "../content/storage.ts";
import type { Fs } from "../content/fs.ts";
import { AbortedError, OcisignError, TrustStoreError } from "../errors.ts";
import { parseCertificates } from "../x509/certificate.ts";
import type { Certificate } from "../x509/certificate.ts";
import type { PolicyStatement } from "./trust_policy.ts";
import { isTrustStoreType, NAMED_STORE_REGEXP } from "./trust_store_type.ts";
import type { TrustStoreType } from "./trust_store_type.ts";

/** Largest certificate file a trust store may hold. */
export const MAX_TRUST_STORE_FILE_BYTES = 4 * 1024 * 1024;

/** A source of trusted certificates by store type and name. */
export interface TrustStore {
  /**
   * The certificates of one named store.
   * @throws {TrustStoreError} ERR_TRUST_STORE when the store is missing, empty or invalid.
   */
  getCertificates(type: TrustStoreType, name: string, opts?: Op): Promise<Certificate[]>;
}

function checkStoreName(type: string, name: string): void {
  if (!isTrustStoreType(type)) {
    throw new TrustStoreError(`unsupported trust store type: ${type}`);
  }
  if (!NAMED_STORE_REGEXP.test(name)) {
    throw new TrustStoreError(
      `trust store name needs to follow [a-zA-Z0-9_.-]+ format, ${name} is invalid`,
    );
  }
}

/**
 * Parses one trust store file (PEM with one or more CERTIFICATE blocks, or concatenated DER,
 * whatever the extension) and checks each certificate as notation does: it must be a CA or
 * self-signed, and in a `tsa` store a self-signed root CA.
 *
 * @example
 * ```ts ignore
 * import { readTrustedCertificates } from "./trust_store.ts";
 * const certs = await readTrustedCertificates(pemBytes, "ca", "wabbit-networks.io", "root.crt");
 * ```
 * @param bytes The file's content.
 * @param type The store type.
 * @param name The store name.
 * @param file The file name, for messages.
 * @returns The certificates, in file order.
 * @throws {TrustStoreError} ERR_TRUST_STORE when the file holds no valid certificate or one notation refuses.
 */
export async function readTrustedCertificates(
  bytes: Bytes | string,
  type: TrustStoreType,
  name: string,
  file: string,
): Promise<Certificate[]> {
  let certs: Certificate[];
  try {
    certs = parseCertificates(bytes);
  } catch (err) {
    throw new TrustStoreError(
      `failed to read the trusted certificate ${file} in trust store ${name} of type ${type}: ${
        (err as Error).message
      }`,
      { cause: err },
    );
  }
  if (certs.length === 0) {
    throw new TrustStoreError(
      `failed to read the trusted certificate ${file} in trust store ${name} of type ${type}: no certificate found`,
    );
  }
  for (const cert of certs) {
    // notation: every trusted certificate is a CA or self-signed (verifies with its own key)
    if (!cert.isCa && await cert.checkSignature(cert) !== undefined) {
      throw new TrustStoreError(
        `failed to validate the trusted certificate ${file} in trust store ${name} of type ${type}: certificate with subject ${
          JSON.stringify(cert.subject)
        } is not a CA certificate or self-signed signing certificate`,
      );
    }
    // notation: TSA trust store certificates must be self-signed root CA certificates
    if (type === "tsa") {
      const problem = await cert.checkSignatureFrom(cert) ??
        (cert.isSelfIssued ? undefined : "issuer and subject are not the same");
      if (problem !== undefined) {
        throw new TrustStoreError(
          `trusted certificate ${file} in trust store ${name} of type ${type} is invalid: certificate with subject ${
            JSON.stringify(cert.subject)
          } is not a root CA certificate: ${problem}`,
        );
      }
    }
  }
  return certs;
}

/**
 * The trust stores of a notation-style configuration directory, read through an {@linkcode Fs}.
 * Each named store must be a real directory holding at least one certificate; sub-directories,
 * symlinks and unparseable files inside it are errors (as in notation).
 *
 * @example
 * ```ts ignore
 * import { FsTrustStore } from "./trust_store.ts";
 * const store = new FsTrustStore(fs, configDir);
 * const roots = await store.getCertificates("ca", "wabbit-networks.io");
 * ```
 */
export class FsTrustStore implements TrustStore {
  #fs: Fs;
  #root: string;

  /**
   * Creates the store.
   * @param fs File access.
   * @param configDir The configuration directory holding `truststore/`.
   */
  constructor(fs: Fs, configDir: string) {
    this.#fs = fs;
    this.#root = `${configDir.replace(/\/+$/, "")}/truststore/x509`;
  }

  /**
   * Loads and checks one named store.
   * @throws {TrustStoreError} ERR_TRUST_STORE when missing, not a directory, empty or invalid.
   */
  async getCertificates(type: TrustStoreType, name: string, opts?: Op): Promise<Certificate[]> {
    checkStoreName(type, name);
    const dir = `${this.#root}/${type}/${name}`;
    const info = await this.#guard(() => this.#fs.stat(dir), type, name);
    if (info === undefined) {
      throw new TrustStoreError(
        `the trust store ${JSON.stringify(name)} of type ${
          JSON.stringify(type)
        } does not exist. Add a certificate to it with 'ocisign cert add --type ${type} --store ${name} <file>'`,
      );
    }
    if (!info.isDirectory || info.isSymlink) {
      throw new TrustStoreError(
        `the trust store ${name} of type ${type} is not a regular directory (symlinks are not supported)`,
      );
    }
    const entries = await this.#guard(() => this.#fs.readDir(dir), type, name);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const out: Certificate[] = [];
    for (const entry of entries) {
      if (opts?.signal?.aborted) throw new AbortedError("Loading the trust store was aborted");
      if (entry.isDirectory || entry.isSymlink || !entry.isFile) {
        throw new TrustStoreError(
          `trusted certificate ${entry.name} in trust store ${name} of type ${type} is not a regular file (directories or symlinks are not supported)`,
        );
      }
      let bytes: Bytes;
      try {
        bytes = await this.#fs.readFile(`${dir}/${entry.name}`, {
          maxBytes: MAX_TRUST_STORE_FILE_BYTES,
        });
      } catch (err) {
        throw new TrustStoreError(
          `failed to read the trusted certificate ${entry.name} in trust store ${name} of type ${type}: ${
            (err as Error).message
          }`,
          { cause: err },
        );
      }
      out.push(...await readTrustedCertificates(bytes, type, name, entry.name));
    }
    if (out.length === 0) {
      throw new TrustStoreError(
        `no x509 certificates were found in trust store ${JSON.stringify(name)} of type ${
          JSON.stringify(type)
        }`,
      );
    }
    return out;
  }

  async #guard<T>(fn: () => Promise<T>, type: string, name: string): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof TrustStoreError) throw err;
      if (err instanceof OcisignError && err.code === "ERR_NOT_FOUND") {
        throw new TrustStoreError(
          `the trust store ${JSON.stringify(name)} of type ${JSON.stringify(type)} does not exist`,
          { cause: err },
        );
      }
      throw new TrustStoreError(
        `failed to access the trust store ${JSON.stringify(name)} of type ${JSON.stringify(type)}`,
        { cause: err },
      );
    }
  }
}

/**
 * Trust stores held in memory (for embedding and tests): `"<type>:<name>"` → certificate files
 * (PEM text or DER bytes). The same checks as {@linkcode FsTrustStore} apply when read.
 *
 * @example
 * ```ts ignore
 * import { MemoryTrustStore } from "./trust_store.ts";
 * const store = new MemoryTrustStore({ "ca:wabbit-networks.io": [rootPem] });
 * ```
 */
export class MemoryTrustStore implements TrustStore {
  #stores: Map<string, readonly (Bytes | string)[]>;

  /**
   * Creates the store.
   * @param stores `"<type>:<name>"` → the files of that store.
   */
  constructor(stores: Record<string, readonly (Bytes | string)[]>) {
    this.#stores = new Map(Object.entries(stores));
  }

  /**
   * Reads and checks one named store.
   * @throws {TrustStoreError} ERR_TRUST_STORE when missing, empty or invalid.
   */
  async getCertificates(type: TrustStoreType, name: string): Promise<Certificate[]> {
    checkStoreName(type, name);
    const files = this.#stores.get(`${type}:${name}`);
    if (files === undefined) {
      throw new TrustStoreError(
        `the trust store ${JSON.stringify(name)} of type ${JSON.stringify(type)} does not exist`,
      );
    }
    const out: Certificate[] = [];
    for (const [i, file] of files.entries()) {
      out.push(...await readTrustedCertificates(file, type, name, `#${i}`));
    }
    if (out.length === 0) {
      throw new TrustStoreError(
        `no x509 certificates were found in trust store ${JSON.stringify(name)} of type ${
          JSON.stringify(type)
        }`,
      );
    }
    return out;
  }
}

/**
 * The certificates of every store of one type that a statement lists (each store once; stores
 * of other types are skipped), as notation loads them for authenticity and timestamp checks.
 *
 * @example
 * ```ts ignore
 * import { loadTrustedCertificates } from "./trust_store.ts";
 * const roots = await loadTrustedCertificates(store, statement, "ca");
 * ```
 * @param store The trust store source.
 * @param statement The applicable statement.
 * @param type The store type the signing scheme (or timestamp) needs.
 * @returns The certificates (empty when the statement lists no store of that type).
 * @throws {TrustStoreError} ERR_TRUST_STORE when a listed store cannot be loaded.
 */
export async function loadTrustedCertificates(
  store: TrustStore,
  statement: PolicyStatement,
  type: TrustStoreType,
  opts?: Op,
): Promise<Certificate[]> {
  const seen = new Set<string>();
  const out: Certificate[] = [];
  for (const value of statement.trustStores) {
    if (seen.has(value)) continue;
    seen.add(value);
    const colon = value.indexOf(":");
    if (colon < 0) {
      throw new TrustStoreError(
        `error while loading the trust store, trust policy statement ${
          JSON.stringify(statement.name)
        } is missing separator in trust store value ${
          JSON.stringify(value)
        }. The required format is <TrustStoreType>:<TrustStoreName>`,
      );
    }
    if (value.slice(0, colon) !== type) continue;
    out.push(...await store.getCertificates(type, value.slice(colon + 1), opts));
  }
  return out;
}
