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
import { AbortedError, RevocationError } from "../../errors.ts";
import type { Certificate } from "../certificate.ts";
import { certificateParts, integerKey } from "./_der.ts";
import { lookUp, validateBundle } from "./_crl_check.ts";
import { fromCache, storeInCache } from "./_crl_cached.ts";
import { downloadBundle } from "./_crl_fetch.ts";
import type { RevocationClient } from "./revocation_client.ts";
import type { CertRevocationResult, RevocationServerResult } from "./revocation_result.ts";

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
