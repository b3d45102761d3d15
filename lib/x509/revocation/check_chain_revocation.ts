/**
 * Revocation status of every certificate of a chain, as notation-core-go's validator: each
 * certificate but the root is checked against its issuer (the next certificate), all in
 * parallel — with OCSP when it names a responder, falling back to its CRLs when OCSP gives no
 * definite answer, with its CRLs when it names no responder — and is `nonRevokable` when it
 * names neither. The root is always `nonRevokable`.
 *
 * @module
 */
import { AbortedError, RevocationError } from "../../errors.ts";
import type { Certificate } from "../certificate.ts";
import { revocationEndpoints } from "./_certificate_urls.ts";
import type { RevocationEndpoints } from "./_certificate_urls.ts";
import type { RevocationClient } from "./revocation_client.ts";
import type { CertRevocationResult } from "./revocation_result.ts";

/** Options for {@linkcode checkChainRevocation}. */
export interface CheckChainRevocationOptions {
  /** Network access (with the timeouts). */
  client: RevocationClient;
  /** The time answers must be fresh at (default: now). */
  now?: Date;
  /**
   * The authentic signing time (signing-authority scheme only): a revocation whose invalidity
   * date is after it does not count.
   */
  signingTime?: Date;
  /** Cancels the checks. */
  signal?: AbortSignal;
}

const NON_REVOKABLE: CertRevocationResult = Object.freeze({
  status: "nonRevokable",
  method: "none",
  servers: Object.freeze([{ status: "nonRevokable", server: "", method: "none" }]),
}) as CertRevocationResult;

async function checkOne(
  cert: Certificate,
  issuer: Certificate,
  opts: CheckChainRevocationOptions,
): Promise<CertRevocationResult> {
  let endpoints: RevocationEndpoints;
  try {
    endpoints = revocationEndpoints(cert);
  } catch (err) {
    return {
      status: "unknown",
      method: "none",
      servers: [{
        status: "unknown",
        server: "",
        method: "none",
        error: new RevocationError(
          `the revocation endpoints of certificate ${
            JSON.stringify(cert.subject)
          } cannot be read: ${(err as Error).message}`,
        ),
      }],
    };
  }
  const common = {
    client: opts.client,
    now: opts.now ?? new Date(),
    ...(opts.signingTime ? { signingTime: opts.signingTime } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  };
  // OCSP and CRL code loads only for a certificate that names a server: most chains name none,
  // and loading it costs a short command's start-up time (`+ ""`: see ../../cli/commands/registry.ts).
  if (endpoints.ocsp.length === 0 && endpoints.crl.length === 0) return NON_REVOKABLE;
  const [{ checkCrl }, { checkOcsp }] = await Promise.all([
    import("./crl.ts" + "") as Promise<typeof import("./crl.ts")>,
    import("./ocsp.ts" + "") as Promise<typeof import("./ocsp.ts")>,
  ]);
  if (endpoints.ocsp.length > 0) {
    const ocsp = await checkOcsp(cert, issuer, endpoints.ocsp, common);
    if (ocsp.status !== "unknown" || endpoints.crl.length === 0) return ocsp;
    const crl = await checkCrl(cert, issuer, endpoints.crl, {
      ...common,
      freshestCrl: endpoints.freshestCrl,
    });
    return {
      status: crl.status,
      method: "ocspFallbackCrl",
      servers: [...ocsp.servers, ...crl.servers],
    };
  }
  return await checkCrl(cert, issuer, endpoints.crl, {
    ...common,
    freshestCrl: endpoints.freshestCrl,
  });
}

/**
 * Checks the revocation status of each certificate of `chain` (leaf first, root last).
 * Reduce the results with {@linkcode revocationFinalResult}.
 *
 * @example
 * ```ts ignore
 * import { checkChainRevocation, revocationFinalResult } from "./mod.ts";
 * const results = await checkChainRevocation(chain, { client: { fetch } });
 * const verdict = revocationFinalResult(results, chain);
 * if (verdict.status !== "ok") console.log(verdict.status, verdict.subject);
 * ```
 * @param chain The certificates, leaf first, each issued by the next.
 * @param opts Client, time, signing time, signal.
 * @returns One result per certificate, in chain order.
 * @throws {RangeError} when the chain is empty.
 * @throws {AbortedError} ERR_ABORTED when cancelled.
 */
export async function checkChainRevocation(
  chain: readonly Certificate[],
  opts: CheckChainRevocationOptions,
): Promise<CertRevocationResult[]> {
  if (chain.length === 0) throw new RangeError("chain does not contain any certificates");
  if (opts.signal?.aborted) {
    throw new AbortedError("Revocation checking was aborted", { cause: opts.signal.reason });
  }
  const checks = chain.slice(0, -1).map((cert, i) => checkOne(cert, chain[i + 1]!, opts));
  const results = await Promise.all(checks);
  // the root is never revoked by OCSP or CRL
  return [...results, NON_REVOKABLE];
}
