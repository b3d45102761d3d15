/**
 * Where downloaded CRLs are kept between runs, as notation's CRL cache: keyed by the
 * distribution point URL, holding the DER of the base CRL and of its delta CRL. A cache is only
 * a hint: every entry read is parsed, checked for freshness (`nextUpdate`) and validated exactly
 * as a freshly downloaded CRL (signer, validity, extensions) before it is used; an entry that
 * fails any check is ignored and the CRL downloaded again.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";

/** A base CRL and, when its Freshest CRL extension names one, its delta CRL (DER). */
export interface CrlBundle {
  /** DER of the base CRL. */
  base: Bytes;
  /** DER of the delta CRL, when there is one. */
  delta?: Bytes;
}

/**
 * Stores CRL bundles by distribution point URL. Implementations may throw on a broken entry or
 * a failed write: the revocation client reports the error and carries on without the cache.
 *
 * @example An in-memory cache
 * ```ts
 * import type { CrlBundle, CrlCache } from "./crl_cache.ts";
 * const entries = new Map<string, CrlBundle>();
 * const cache: CrlCache = {
 *   get: (url) => Promise.resolve(entries.get(url)),
 *   set: (url, bundle) => {
 *     entries.set(url, bundle);
 *     return Promise.resolve();
 *   },
 * };
 * await cache.set("http://ca.example/ca.crl", { base: new Uint8Array([0x30, 0x00]) });
 * console.log((await cache.get("http://ca.example/ca.crl"))?.base.length); // 2
 * ```
 */
export interface CrlCache {
  /**
   * The bundle stored for `url`, or `undefined` when there is none.
   * @throws when the entry cannot be read or decoded.
   */
  get(url: string, opts?: { signal?: AbortSignal }): Promise<CrlBundle | undefined>;
  /** Stores (replaces) the bundle for `url`. */
  set(url: string, bundle: CrlBundle, opts?: { signal?: AbortSignal }): Promise<void>;
}
