/**
 * Private: downloads a CRL, with the delta CRL its Freshest CRL extension names.
 *
 * @module
 */
import { AbortedError, RevocationError } from "../../errors.ts";
import { distributionPointUrls, isHttpUrl } from "./_certificate_urls.ts";
import { fetchBounded } from "./_http.ts";
import { OID, parseCrl } from "./_crl_parse.ts";
import type { Bundle, Crl } from "./_crl_parse.ts";
import { DEFAULT_CRL_TIMEOUT_MS, MAX_CRL_BYTES } from "./revocation_client.ts";
import type { RevocationClient } from "./revocation_client.ts";

/** What a download needs. */
export interface CrlFetchOptions {
  /** Network access. */
  client: RevocationClient;
  /** Cancels the downloads. */
  signal?: AbortSignal;
}

async function download(url: string, opts: CrlFetchOptions): Promise<Crl> {
  if (!isHttpUrl(url)) {
    throw new RevocationError(
      `unsupported scheme in ${JSON.stringify(url)}. Only supports CRL URL in HTTP protocol`,
      { details: { reason: "unsupported URL scheme" } },
    );
  }
  const timeoutMs = opts.client.crlTimeoutMs ?? DEFAULT_CRL_TIMEOUT_MS;
  const body = await fetchBounded(opts.client.fetch, url, { method: "GET" }, {
    timeoutMs,
    maxBytes: MAX_CRL_BYTES,
    what: `the CRL from ${url}`,
    timeoutMessage: `exceeded timeout threshold of ${
      (timeoutMs / 1000).toFixed(2)
    } seconds downloading the CRL from ${url}`,
    signal: opts.signal,
  });
  return parseCrl(body);
}

/** Downloads the CRL at `url` and its delta CRL, parsed. */
export async function downloadBundle(url: string, opts: CrlFetchOptions): Promise<Bundle> {
  const base = await download(url, opts);
  return { base, delta: await downloadDelta(base, opts) };
}

async function downloadDelta(base: Crl, opts: CrlFetchOptions): Promise<Crl | undefined> {
  const ext = base.extensions.find((e) => e.oid === OID.freshestCrl);
  if (!ext) return undefined;
  let urls: string[];
  try {
    urls = distributionPointUrls(ext.value);
  } catch (err) {
    throw new RevocationError(`failed to parse Freshest CRL extension: ${(err as Error).message}`);
  }
  let last: unknown;
  // RFC 5280 §5.2.6: the delta locations of a base CRL are alternatives; try them in order
  for (const url of urls) {
    try {
      return await download(url, opts);
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      last = err;
    }
  }
  if (last !== undefined) throw last;
  return undefined;
}
