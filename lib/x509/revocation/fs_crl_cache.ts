/**
 * A {@linkcode CrlCache} in a directory, in notation's file format so that the two caches are
 * interchangeable: one file per distribution point, named by the lowercase hex SHA-256 of the
 * URL, holding `{"baseCRL":"<base64 DER>","deltaCRL":"<base64 DER>"}` (`deltaCRL` only when
 * there is a delta CRL). Files are written atomically (temporary file, then rename) with mode
 * 0600 in a 0700 directory, so concurrent runs never see a half-written entry.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { fromBase64, toBase64, toHex, utf8 } from "../../_internal/bytes.ts";
import type { Fs } from "../../content/fs.ts";
import { NotFoundError, RevocationError } from "../../errors.ts";
import type { CrlBundle, CrlCache } from "./crl_cache.ts";
import { MAX_CRL_BYTES } from "./revocation_client.ts";

/** The largest cache file read: two maximal CRLs in base64, plus the JSON around them. */
const MAX_ENTRY_BYTES = Math.ceil((2 * MAX_CRL_BYTES * 4) / 3) + 1024;

function decodeCrl(value: unknown, field: string, path: string): Bytes {
  if (typeof value !== "string") {
    throw new RevocationError(`CRL cache file ${path} is corrupt: ${field} is not a string`);
  }
  let der: Bytes;
  try {
    der = fromBase64(value);
  } catch (err) {
    throw new RevocationError(`CRL cache file ${path} is corrupt: ${field} is not base64`, {
      cause: err,
    });
  }
  if (der.length === 0 || der.length > MAX_CRL_BYTES) {
    throw new RevocationError(
      `CRL cache file ${path} is corrupt: ${field} has ${der.length} bytes`,
    );
  }
  return der;
}

/**
 * CRL bundles cached as files in one directory (notation's layout and format).
 *
 * @example
 * ```ts ignore
 * import { FsCrlCache } from "./fs_crl_cache.ts";
 * const crlCache = new FsCrlCache(fs, `${home}/.cache/ocisign/crl`);
 * const client = { fetch, crlCache };
 * ```
 */
export class FsCrlCache implements CrlCache {
  readonly #fs: Fs;
  readonly #root: string;

  /**
   * Creates the cache.
   * @param fs The file system.
   * @param root The cache directory (created with mode 0700 on the first write).
   */
  constructor(fs: Fs, root: string) {
    this.#fs = fs;
    this.#root = root.replace(/\/+$/, "");
  }

  /**
   * The path of the entry for `url`: `<root>/<hex sha256 of the URL>`.
   *
   * @example
   * ```ts ignore
   * console.log(await cache.path("http://ca.example/ca.crl"));
   * ```
   * @param url The distribution point URL.
   * @returns The file path.
   */
  async path(url: string): Promise<string> {
    const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(url)));
    return `${this.#root}/${toHex(hash)}`;
  }

  /**
   * Reads the entry for `url`.
   *
   * @example
   * ```ts ignore
   * const bundle = await cache.get("http://ca.example/ca.crl");
   * ```
   * @param url The distribution point URL.
   * @returns The bundle, or `undefined` when no entry exists.
   * @throws {RevocationError} ERR_SIGNATURE_REVOCATION when the entry is not a cache file.
   * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when the file is implausibly large.
   */
  async get(url: string): Promise<CrlBundle | undefined> {
    const path = await this.path(url);
    let bytes: Bytes;
    try {
      bytes = await this.#fs.readFile(path, { maxBytes: MAX_ENTRY_BYTES });
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
    let content: unknown;
    try {
      content = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    } catch (err) {
      throw new RevocationError(`CRL cache file ${path} is corrupt: it is not JSON`, {
        cause: err,
      });
    }
    if (typeof content !== "object" || content === null || Array.isArray(content)) {
      throw new RevocationError(`CRL cache file ${path} is corrupt: it is not a JSON object`);
    }
    const { baseCRL, deltaCRL } = content as Record<string, unknown>;
    const base = decodeCrl(baseCRL, "baseCRL", path);
    // Go writes a nil delta as an absent member (omitempty)
    if (deltaCRL === undefined || deltaCRL === null) return { base };
    return { base, delta: decodeCrl(deltaCRL, "deltaCRL", path) };
  }

  /**
   * Writes the entry for `url` atomically.
   *
   * @example
   * ```ts ignore
   * await cache.set("http://ca.example/ca.crl", { base: crlDer });
   * ```
   * @param url The distribution point URL.
   * @param bundle The DER of the base (and delta) CRL.
   * @param opts Cancels the write.
   */
  async set(url: string, bundle: CrlBundle, opts: { signal?: AbortSignal } = {}): Promise<void> {
    const content: Record<string, string> = { baseCRL: toBase64(bundle.base) };
    if (bundle.delta) content.deltaCRL = toBase64(bundle.delta);
    await this.#fs.mkdir(this.#root, { recursive: true, mode: 0o700 });
    await this.#fs.writeFileAtomic(await this.path(url), utf8(JSON.stringify(content)), {
      mode: 0o600,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }
}
