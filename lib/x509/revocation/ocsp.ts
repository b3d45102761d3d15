/**
 * OCSP (RFC 6960) status of one certificate, as notation-core-go asks it: the request of
 * {@linkcode createOcspRequest} is sent to each responder the certificate names, until one gives
 * a definite answer; {@linkcode parseOcspResponse} decides whether an answer counts. Anything
 * else makes that responder's answer `unknown`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6960
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { AbortedError, OcisignError, RevocationError } from "../../errors.ts";
import type { Certificate } from "../certificate.ts";
import { isHttpUrl } from "./_certificate_urls.ts";
import { fetchOcspResponse } from "./_ocsp_fetch.ts";
import { createOcspRequest } from "./ocsp_request.ts";
import { parseOcspResponse } from "./ocsp_response.ts";
import type { RevocationClient } from "./revocation_client.ts";
import type { CertRevocationResult, RevocationServerResult } from "./revocation_result.ts";

/** Options for {@linkcode checkOcsp}. */
export interface CheckOcspOptions {
  /** Network access. */
  client: RevocationClient;
  /** The time the answer must be fresh at. */
  now: Date;
  /** The authentic signing time: a revocation with a later invalidity date does not count. */
  signingTime?: Date;
  /** Cancels the requests. */
  signal?: AbortSignal;
}

async function askServer(
  cert: Certificate,
  issuer: Certificate,
  server: string,
  request: Bytes,
  opts: CheckOcspOptions,
): Promise<{ result: RevocationServerResult; definite: boolean }> {
  const result = (
    status: RevocationServerResult["status"],
    error?: OcisignError,
    definite = false,
  ): { result: RevocationServerResult; definite: boolean } => ({
    result: { status, server, method: "ocsp", ...(error ? { error } : {}) },
    definite: definite || status !== "unknown",
  });
  if (!isHttpUrl(server)) {
    return result(
      "unknown",
      new RevocationError(`OCSPServer protocol of ${JSON.stringify(server)} is not supported`, {
        details: { reason: "unsupported URL scheme" },
      }),
    );
  }
  try {
    const body = await fetchOcspResponse(server, request, opts.client, opts.signal);
    const single = await parseOcspResponse(body, cert, issuer, opts.now);
    if (
      single.status === "revoked" && single.invalidityDate && opts.signingTime &&
      opts.signingTime.getTime() < single.invalidityDate.getTime()
    ) {
      // the key was compromised only after the authentic signing time
      return result("ok");
    }
    if (single.status === "good") return result("ok");
    if (single.status === "revoked") {
      return result("revoked", new RevocationError("certificate is revoked via OCSP"));
    }
    return result(
      "unknown",
      new RevocationError("certificate has unknown status via OCSP", {
        details: { reason: "certificate unknown to the responder" },
      }),
      true,
    );
  } catch (err) {
    if (err instanceof AbortedError) throw err;
    return result(
      "unknown",
      err instanceof OcisignError ? err : new RevocationError(String(err), { cause: err }),
    );
  }
}

/**
 * Checks `cert` with each OCSP responder it names, in order; the first good, revoked or
 * "unknown status" answer decides. When no responder answers usably the result is `unknown`.
 *
 * @example
 * ```ts ignore
 * import { checkOcsp } from "./ocsp.ts";
 * const r = await checkOcsp(leaf, issuer, ["http://127.0.0.1:8080/ocsp"], {
 *   client: { fetch }, now: new Date(),
 * });
 * console.log(r.status);
 * ```
 * @param cert The certificate.
 * @param issuer Its issuer (the next certificate of the chain).
 * @param servers The responder URLs from the certificate.
 * @param opts Client, time, signing time, signal.
 * @returns The certificate's OCSP result.
 * @throws {AbortedError} ERR_ABORTED when cancelled.
 */
export async function checkOcsp(
  cert: Certificate,
  issuer: Certificate,
  servers: readonly string[],
  opts: CheckOcspOptions,
): Promise<CertRevocationResult> {
  const request = await createOcspRequest(cert, issuer);
  const results: RevocationServerResult[] = [];
  for (const server of servers) {
    // notation-core-go: a definite answer (good, revoked, unknown status) decides alone
    const { result, definite } = await askServer(cert, issuer, server, request, opts);
    if (definite) return { status: result.status, method: "ocsp", servers: [result] };
    results.push(result);
  }
  return { status: results.at(-1)?.status ?? "unknown", method: "ocsp", servers: results };
}
