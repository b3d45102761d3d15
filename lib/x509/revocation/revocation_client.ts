/**
 * How revocation checking reaches the network: an injected `fetch` (so that the core stays free
 * of network code, and library users without network keep working: no client, no check), and
 * optionally a CRL cache.
 *
 * @module
 */
import type { CrlCache } from "./crl_cache.ts";

/** A `fetch`-like function; only plain `http://` URLs named by certificates are fetched. */
export type RevocationFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Network access for OCSP and CRL checks, with notation's timeouts as defaults. */
export interface RevocationClient {
  /** Performs the HTTP requests (e.g. the runtime's `fetch`). */
  fetch: RevocationFetch;
  /** Time allowed for one OCSP request and its answer (default 2000 ms, as notation). */
  ocspTimeoutMs?: number;
  /** Time allowed for downloading one CRL (default 5000 ms, as notation). */
  crlTimeoutMs?: number;
  /**
   * Keeps downloaded CRLs until their `nextUpdate` (notation's CRL file cache). Cached CRLs get
   * the same checks as downloaded ones; a failing or stale entry is downloaded again.
   */
  crlCache?: CrlCache;
  /**
   * Told about each cache error (an unreadable or untrustworthy entry, a failed write); the
   * error is otherwise discarded, as notation discards CRL cache errors.
   */
  onCacheError?: (error: Error) => void;
}

/** notation's OCSP HTTP client timeout. */
export const DEFAULT_OCSP_TIMEOUT_MS = 2000;
/** notation's CRL HTTP client timeout. */
export const DEFAULT_CRL_TIMEOUT_MS = 5000;
/** The largest OCSP response read (notation-core-go: 20 KiB). */
export const MAX_OCSP_RESPONSE_BYTES = 20480;
/** The largest CRL read (notation-core-go: 32 MiB). */
export const MAX_CRL_BYTES = 32 * 1024 * 1024;
