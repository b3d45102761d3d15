/**
 * Checks a chain's revocation status and turns the verdict into notation's error message.
 *
 * @module
 */
import { RevocationError } from "../../errors.ts";
import type { Certificate } from "../certificate.ts";
import { checkChainRevocation } from "./check_chain_revocation.ts";
import type { CheckChainRevocationOptions } from "./check_chain_revocation.ts";
import { revocationFinalResult } from "./revocation_result.ts";

/** Which chain is checked: it names the certificate in the message. */
export type ChainRole = "signing" | "timestamping";

/**
 * Throws unless every certificate of `chain` is ok or non-revokable. The error's `details`
 * list each certificate's status and every responder or CRL error (notation logs those).
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
 * revoked` or `… revocation status is unknown`.
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
      : `${role} certificate with subject ${subject} revocation status is unknown`,
    { details },
  );
}
