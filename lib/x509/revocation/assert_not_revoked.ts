/**
 * Checks a chain's revocation status and turns the verdict into notation's error message.
 *
 * @module
 */
import { redactUrl } from "../../_internal/redact_url.ts";
import { RevocationError } from "../../errors.ts";
import type { Certificate } from "../certificate.ts";
import { checkChainRevocation } from "./check_chain_revocation.ts";
import type { CheckChainRevocationOptions } from "./check_chain_revocation.ts";
import { revocationFinalResult } from "./revocation_result.ts";
import type { CertRevocationResult } from "./revocation_result.ts";

/** Which chain is checked: it names the certificate in the message. */
export type ChainRole = "signing" | "timestamping";

/** The `details.reason` of an error or of one of its causes (set by the fetch), else "bad answer". */
function failureReason(err: unknown): string {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const reason = (e as { details?: Record<string, unknown> }).details?.reason;
    if (typeof reason === "string") return reason;
  }
  return "bad answer";
}

/** ` (OCSP http://…: timeout; CRL http://…: HTTP 500)`: each server that failed, and why. */
function failedServers(result: CertRevocationResult | undefined): string {
  const failed = (result?.servers ?? []).filter((s) => s.error && s.server !== "");
  if (failed.length === 0) return "";
  const each = failed.map((s) =>
    `${s.method.toUpperCase()} ${redactUrl(s.server)}: ${failureReason(s.error)}`
  );
  return ` (${each.join("; ")})`;
}

/**
 * Throws unless every certificate of `chain` is ok or non-revokable. An unknown status names,
 * after notation's wording, each responder or CRL URL that failed and why (`timeout`,
 * `connection refused`, `unreachable`, `HTTP <status>`, `bad answer`). The error's `details`
 * hold the verdict (`status`) and list each certificate's status and every responder or CRL
 * error (notation logs those).
 *
 * @example
 * ```ts ignore
 * import { assertNotRevoked } from "./assert_not_revoked.ts";
 * await assertNotRevoked(chain, "signing", { client: { fetch } });
 * ```
 * @param chain The certificates, leaf first, root last.
 * @param role `signing` or `timestamping`.
 * @param opts Client, time, signing time, signal.
 * @throws {RevocationError} ERR_SIGNATURE_REVOCATION `signing certificate with subject "…" is
 * revoked` or `… revocation status is unknown (OCSP <url>: <reason>; …)`.
 * @throws {AbortedError} ERR_ABORTED when cancelled.
 */
export async function assertNotRevoked(
  chain: readonly Certificate[],
  role: ChainRole,
  opts: CheckChainRevocationOptions,
): Promise<void> {
  const results = await checkChainRevocation(chain, opts);
  const verdict = revocationFinalResult(results, chain);
  if (verdict.status === "ok") return;
  const details = {
    status: verdict.status,
    certificates: results.map((r, i) => ({
      subject: chain[i]!.subject,
      status: r.status,
      method: r.method,
      errors: r.servers.filter((s) => s.error).map((s) => ({
        method: s.method,
        server: s.server,
        message: s.error!.message,
      })),
    })),
  };
  const subject = JSON.stringify(verdict.subject);
  throw new RevocationError(
    verdict.status === "revoked"
      ? `${role} certificate with subject ${subject} is revoked`
      : `${role} certificate with subject ${subject} revocation status is unknown${
        // the certificate that decided: the one nearest the leaf whose status is unknown
        failedServers(results.find((r) => r.status === "unknown"))}`,
    { details },
  );
}
