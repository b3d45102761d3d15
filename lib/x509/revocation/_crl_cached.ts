/**
 * Private: CRL bundles from and to the client's CRL cache. A cached bundle is used
 * only when it parses, is current and passes the same validation as a downloaded one; a cache
 * failure is reported and never changes the result.
 *
 * @module
 */
import { AbortedError, RevocationError } from "../../errors.ts";
import type { Certificate } from "../certificate.ts";
import { validateBundle } from "./_crl_check.ts";
import { parseCrl } from "./_crl_parse.ts";
import type { Bundle, Crl } from "./_crl_parse.ts";
import type { CrlBundle } from "./crl_cache.ts";
import type { RevocationClient } from "./revocation_client.ts";

/** What the cache needs. */
export interface CrlCacheOptions {
  /** Network access, with the cache and its error reporter. */
  client: RevocationClient;
  /** The time the CRLs must be current at. */
  now: Date;
  /** Cancels the cache access. */
  signal?: AbortSignal;
}

function reportCacheError(opts: CrlCacheOptions, error: Error): void {
  try {
    opts.client.onCacheError?.(error);
  } catch {
    // a failing reporter must not change the revocation result
  }
}

/** The cached bundle for `url` when it is current and valid, else `undefined`. */
export async function fromCache(
  url: string,
  issuer: Certificate,
  opts: CrlCacheOptions,
): Promise<Bundle | undefined> {
  const cache = opts.client.crlCache;
  if (cache === undefined) return undefined;
  let entry: CrlBundle | undefined;
  try {
    entry = await cache.get(url, opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    reportCacheError(
      opts,
      new RevocationError(
        `failed to read the cached CRL of ${url}: ${(err as Error)?.message ?? String(err)}`,
        { cause: err },
      ),
    );
    return undefined;
  }
  if (entry === undefined) return undefined;
  try {
    const base = parseCrl(entry.base);
    const delta = entry.delta ? parseCrl(entry.delta) : undefined;
    const current = (crl: Crl): boolean =>
      crl.nextUpdate !== undefined && opts.now.getTime() <= crl.nextUpdate.getTime();
    // notation: an entry past its nextUpdate is a cache miss
    if (!current(base) || (delta && !current(delta))) return undefined;
    await validateBundle(base, delta, issuer, opts.now);
    return { base, delta };
  } catch (err) {
    reportCacheError(
      opts,
      new RevocationError(
        `the cached CRL of ${url} is not trusted and is downloaded again: ${
          (err as Error).message
        }`,
        { cause: err },
      ),
    );
    return undefined;
  }
}

export async function storeInCache(
  url: string,
  bundle: Bundle,
  opts: CrlCacheOptions,
): Promise<void> {
  const cache = opts.client.crlCache;
  if (cache === undefined) return;
  try {
    await cache.set(
      url,
      bundle.delta ? { base: bundle.base.raw, delta: bundle.delta.raw } : { base: bundle.base.raw },
      opts.signal ? { signal: opts.signal } : {},
    );
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    reportCacheError(
      opts,
      new RevocationError(
        `failed to store the CRL of ${url} in the cache: ${(err as Error)?.message ?? String(err)}`,
        { cause: err },
      ),
    );
  }
}
