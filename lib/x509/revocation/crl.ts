/**
 * CRL (RFC 5280 §5) status of one certificate, as notation-core-go checks it: every CRL
 * distribution point the certificate names is downloaded (with the delta CRL its Freshest CRL
 * extension names, if any), each CRL must be signed by the certificate's issuer (a CA with
 * `cRLSign` when key usage is present), be current (`thisUpdate` not in the future, `nextUpdate`
 * present and not past) and carry no unsupported critical extension; then the certificate's
 * serial number is looked up. `certificateHold` counts as revoked unless a later `removeFromCRL`
 * lifts it; an invalidity date after the authentic signing time does not count. Any download or
 * validation failure makes the result `unknown`.
 *
 * With a {@linkcode CrlCache} in the client, a cached bundle is used instead of a download when
 * it parses, is still current (`nextUpdate` not past) and passes the same validation as a
 * downloaded one; otherwise it is ignored (a cache error is reported) and the CRL downloaded.
 * A downloaded bundle that passes validation is stored.
 *
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-5
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { toHex } from "../../_internal/bytes.ts";
import { AbortedError, OcisignError, RevocationError } from "../../errors.ts";
import { children, readSingle, smallInt, TAG, timeOf } from "../asn1.ts";
import type { DerElement } from "../asn1.ts";
import type { Certificate } from "../certificate.ts";
import { distributionPointUrls, isHttpUrl } from "./_certificate_urls.ts";
import { certificateParts, integerKey, MalformedError, parseExtensions } from "./_der.ts";
import type { Extension } from "./_der.ts";
import { fetchBounded } from "./_http.ts";
import { verifySignedBy } from "../verify_signed_by.ts";
import type { CrlBundle } from "./crl_cache.ts";
import { DEFAULT_CRL_TIMEOUT_MS, MAX_CRL_BYTES } from "./revocation_client.ts";
import type { RevocationClient } from "./revocation_client.ts";
import type { CertRevocationResult, RevocationServerResult } from "./revocation_result.ts";

const OID = {
  crlNumber: "2.5.29.20",
  reasonCode: "2.5.29.21",
  invalidityDate: "2.5.29.24",
  deltaCrlIndicator: "2.5.29.27",
  issuingDistributionPoint: "2.5.29.28",
  freshestCrl: "2.5.29.46",
} as const;
const REASON_CERTIFICATE_HOLD = 6;
const REASON_REMOVE_FROM_CRL = 8;
/** A CA's clock may run this far ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** A parsed certificate revocation list (signature not yet checked). */
interface Crl {
  /** DER of the whole CRL (what is cached). */
  raw: Bytes;
  /** DER of the TBSCertList (what the signature covers). */
  tbs: Bytes;
  /** The signature AlgorithmIdentifier. */
  signatureAlgorithm: DerElement;
  /** The signature bytes. */
  signature: Bytes;
  /** DER of the issuer Name. */
  rawIssuer: Bytes;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  /** The revokedCertificates entries, unparsed. */
  entries: DerElement[];
  extensions: Extension[];
  /** The cRLNumber, as a BigInt (absent when the CRL has none). */
  number: bigint | undefined;
}

function bigIntOf(content: Uint8Array): bigint {
  return content.length === 0 ? 0n : BigInt(`0x${toHex(content)}`);
}

/** Parses a DER CRL; malformed input throws {@linkcode RevocationError}. */
function parseCrl(der: Bytes): Crl {
  try {
    const [tbs, outerAlgorithm, signature, extra] = children(readSingle(der), "CertificateList");
    if (extra || signature?.tag !== TAG.BIT_STRING || signature.content[0] !== 0) {
      throw new MalformedError("bad CertificateList");
    }
    const f = children(tbs, "TBSCertList");
    let i = f[0]?.tag === TAG.INTEGER ? 1 : 0;
    const algorithm = f[i++];
    if (algorithm?.tag !== TAG.SEQUENCE || toHex(algorithm.raw) !== toHex(outerAlgorithm!.raw)) {
      throw new MalformedError("inner and outer signature algorithm identifiers don't match");
    }
    const issuer = f[i++];
    if (issuer?.tag !== TAG.SEQUENCE) throw new MalformedError("bad issuer");
    const thisUpdate = timeOf(f[i++], "thisUpdate");
    let nextUpdate: Date | undefined;
    if (f[i]?.tag === TAG.UTC_TIME || f[i]?.tag === TAG.GENERALIZED_TIME) {
      nextUpdate = timeOf(f[i++], "nextUpdate");
    }
    const entries = f[i]?.tag === TAG.SEQUENCE ? children(f[i++], "revokedCertificates") : [];
    const extensions = f[i]?.tag === 0xa0
      ? parseExtensions(readSingle(f[i++]!.content), "crlExtensions")
      : [];
    if (i !== f.length) throw new MalformedError("trailing TBSCertList fields");
    const numberExt = extensions.find((e) => e.oid === OID.crlNumber);
    let number: bigint | undefined;
    if (numberExt) {
      const n = readSingle(numberExt.value, TAG.INTEGER);
      number = bigIntOf(n.content);
    }
    return {
      raw: der,
      tbs: tbs!.raw,
      signatureAlgorithm: algorithm,
      signature: signature.content.subarray(1),
      rawIssuer: issuer.raw,
      thisUpdate,
      nextUpdate,
      entries,
      extensions,
      number,
    };
  } catch (err) {
    if (err instanceof OcisignError) throw err;
    throw new RevocationError(`malformed CRL: ${(err as Error).message}`, { cause: err });
  }
}

async function validateCrl(crl: Crl, issuer: Certificate, now: Date): Promise<void> {
  // Go's RevocationList.CheckSignatureFrom: the issuer must be a CA allowed to sign CRLs
  if (
    (issuer.version === 3 && !issuer.basicConstraints) ||
    (issuer.basicConstraints && !issuer.isCa)
  ) {
    throw new RevocationError(`CRL is not signed by CA ${issuer.subject}: it is not a CA`);
  }
  if (issuer.keyUsage && !issuer.hasKeyUsage("cRLSign")) {
    throw new RevocationError(
      `CRL is not signed by CA ${issuer.subject}: it lacks the cRLSign key usage`,
    );
  }
  if (toHex(crl.rawIssuer) !== toHex(issuer.rawSubject)) {
    throw new RevocationError(`CRL is not issued by CA ${issuer.subject}: the issuer differs`);
  }
  const bad = await verifySignedBy(issuer, crl.signatureAlgorithm, crl.tbs, crl.signature);
  if (bad !== undefined) {
    throw new RevocationError(`CRL is not signed by CA ${issuer.subject}: ${bad}`);
  }
  if (crl.nextUpdate === undefined) throw new RevocationError("CRL NextUpdate is not set");
  if (now.getTime() > crl.nextUpdate.getTime()) {
    throw new RevocationError(
      `expired CRL. Current time ${now.toISOString()} is after CRL NextUpdate ${crl.nextUpdate.toISOString()}`,
    );
  }
  if (crl.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) {
    throw new RevocationError(
      `CRL ThisUpdate ${crl.thisUpdate.toISOString()} is in the future`,
    );
  }
  for (const ext of crl.extensions) {
    // IDP: every distribution point is checked, so the scope needs no check; delta: see below
    if (ext.oid === OID.issuingDistributionPoint || ext.oid === OID.deltaCrlIndicator) continue;
    if (ext.critical) {
      throw new RevocationError(`unsupported critical extension found in CRL: ${ext.oid}`);
    }
  }
}

async function validateBundle(
  base: Crl,
  delta: Crl | undefined,
  issuer: Certificate,
  now: Date,
): Promise<void> {
  try {
    await validateCrl(base, issuer, now);
  } catch (err) {
    throw new RevocationError(`failed to validate base CRL: ${(err as Error).message}`);
  }
  if (!delta) return;
  try {
    await validateCrl(delta, issuer, now);
  } catch (err) {
    throw new RevocationError(`failed to validate delta CRL: ${(err as Error).message}`);
  }
  // RFC 5280 §5.2.4
  if (delta.number === undefined || base.number === undefined || delta.number <= base.number) {
    throw new RevocationError(
      `delta CRL number ${delta.number} is not greater than the base CRL number ${base.number}`,
    );
  }
  const indicator = delta.extensions.find((e) => e.oid === OID.deltaCrlIndicator);
  if (!indicator) throw new RevocationError("delta CRL indicator extension is not found");
  const minimumBase = bigIntOf(readSingle(indicator.value, TAG.INTEGER).content);
  if (minimumBase > base.number) {
    throw new RevocationError(
      `delta CRL indicator ${minimumBase} is not less than or equal to the base CRL number ${base.number}`,
    );
  }
}

interface Entry {
  revocationTime: Date;
  reason: number | undefined;
  invalidityDate: Date | undefined;
}

function parseEntry(el: DerElement): Entry {
  const [, date, extensions] = children(el, "revoked certificate entry");
  const entry: Entry = {
    revocationTime: timeOf(date, "revocationDate"),
    reason: undefined,
    invalidityDate: undefined,
  };
  if (extensions === undefined) return entry;
  for (const ext of parseExtensions(extensions, "crlEntryExtensions")) {
    if (ext.oid === OID.reasonCode) {
      entry.reason = smallInt(readSingle(ext.value), "reasonCode", TAG.ENUMERATED);
    } else if (ext.oid === OID.invalidityDate) {
      entry.invalidityDate = timeOf(readSingle(ext.value), "invalidity date");
    } else if (ext.critical) {
      throw new RevocationError(`unsupported critical extension found in CRL: ${ext.oid}`);
    }
  }
  return entry;
}

/** notation-core-go's `checkRevocation` over the base and delta CRL entries. */
function lookUp(
  serialKey: string,
  crls: readonly Crl[],
  signingTime: Date | undefined,
): "ok" | "revoked" {
  let latestTemporary: Entry | undefined;
  for (const crl of crls) {
    for (const el of crl.entries) {
      const first = children(el, "revoked certificate entry")[0];
      if (first?.tag !== TAG.INTEGER || integerKey(first.content) !== serialKey) continue;
      const entry = parseEntry(el);
      if (
        signingTime && entry.invalidityDate &&
        signingTime.getTime() < entry.invalidityDate.getTime()
      ) {
        return "ok";
      }
      if (entry.reason === REASON_CERTIFICATE_HOLD || entry.reason === REASON_REMOVE_FROM_CRL) {
        if (
          !latestTemporary ||
          latestTemporary.revocationTime.getTime() < entry.revocationTime.getTime()
        ) {
          latestTemporary = entry;
        }
        continue;
      }
      return "revoked";
    }
  }
  return latestTemporary?.reason === REASON_CERTIFICATE_HOLD ? "revoked" : "ok";
}

/** Options for {@linkcode checkCrl}. */
export interface CheckCrlOptions {
  /** Network access. */
  client: RevocationClient;
  /** The time the CRLs must be current at. */
  now: Date;
  /** The authentic signing time: a revocation with a later invalidity date does not count. */
  signingTime?: Date;
  /** Cancels the downloads. */
  signal?: AbortSignal;
}

async function download(url: string, opts: CheckCrlOptions): Promise<Crl> {
  if (!isHttpUrl(url)) {
    throw new RevocationError(
      `unsupported scheme in ${JSON.stringify(url)}. Only supports CRL URL in HTTP protocol`,
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

async function downloadBundle(url: string, opts: CheckCrlOptions): Promise<Bundle> {
  const base = await download(url, opts);
  return { base, delta: await downloadDelta(base, opts) };
}

async function downloadDelta(base: Crl, opts: CheckCrlOptions): Promise<Crl | undefined> {
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

/** A base CRL with its delta CRL, parsed. */
interface Bundle {
  base: Crl;
  delta: Crl | undefined;
}

function reportCacheError(opts: CheckCrlOptions, error: Error): void {
  try {
    opts.client.onCacheError?.(error);
  } catch {
    // a failing reporter must not change the revocation result
  }
}

/** The cached bundle for `url` when it is current and valid, else `undefined`. */
async function fromCache(
  url: string,
  issuer: Certificate,
  opts: CheckCrlOptions,
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

async function storeInCache(url: string, bundle: Bundle, opts: CheckCrlOptions): Promise<void> {
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

/**
 * Checks `cert` against the CRLs of every distribution point it names.
 *
 * @example
 * ```ts ignore
 * import { checkCrl } from "./crl.ts";
 * const r = await checkCrl(leaf, issuer, ["http://127.0.0.1:8080/ca.crl"], {
 *   client: { fetch }, now: new Date(),
 * });
 * console.log(r.status);
 * ```
 * @param cert The certificate.
 * @param issuer Its issuer (the next certificate of the chain).
 * @param urls The distribution point URLs from the certificate.
 * @param opts Client, time, signing time, signal; `freshestCrl` when the certificate has one.
 * @returns The certificate's CRL result.
 * @throws {AbortedError} ERR_ABORTED when cancelled.
 */
export async function checkCrl(
  cert: Certificate,
  issuer: Certificate,
  urls: readonly string[],
  opts: CheckCrlOptions & { freshestCrl?: boolean },
): Promise<CertRevocationResult> {
  const serialKey = integerKey(certificateParts(cert).serial);
  const servers: RevocationServerResult[] = [];
  for (const url of urls) {
    let step = "download CRL from";
    try {
      const cached = await fromCache(url, issuer, opts);
      const { base, delta } = cached ?? await downloadBundle(url, opts);
      if (opts.freshestCrl && !delta) {
        throw new RevocationError("freshest CRL from certificate extension is not supported");
      }
      if (!cached) {
        step = "validate CRL from";
        await validateBundle(base, delta, issuer, opts.now);
        await storeInCache(url, { base, delta }, opts);
      }
      step = "check revocation status from";
      const status = lookUp(serialKey, delta ? [base, delta] : [base], opts.signingTime);
      if (status === "revoked") {
        return {
          status,
          method: "crl",
          servers: [{
            status,
            server: url,
            method: "crl",
            error: new RevocationError("certificate is revoked via CRL"),
          }],
        };
      }
      servers.push({ status, server: url, method: "crl" });
    } catch (err) {
      if (err instanceof AbortedError) throw err;
      const error = new RevocationError(`failed to ${step} ${url}: ${(err as Error).message}`, {
        cause: err,
      });
      return {
        status: "unknown",
        method: "crl",
        servers: [{ status: "unknown", server: url, method: "crl", error }],
      };
    }
  }
  return { status: "ok", method: "crl", servers };
}
