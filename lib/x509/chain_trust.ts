/**
 * Authenticity and validity helpers for a chain that already passed
 * `validateCodeSigningChain`: notation trusts a chain when any of its certificates is
 * byte-identical to any trusted certificate (no path building), and checks each certificate's
 * validity against an authentic time.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md
 * @module
 */
import { AuthenticTimestampError, SignatureAuthenticityError } from "../errors.ts";
import type { Certificate } from "./certificate.ts";

/**
 * Finds the first certificate of `chain` that is byte-identical to a trusted certificate, as
 * notation-core-go's `VerifyAuthenticity` does. Pinning a root, an intermediate or a
 * self-signed leaf all work.
 *
 * @example
 * ```ts ignore
 * import { verifyChainTrust } from "./chain_trust.ts";
 * const anchor = verifyChainTrust(content.chain, trustStoreCerts);
 * ```
 * @param chain The signing chain, leaf first.
 * @param trusted Certificates loaded from the trust stores the policy names.
 * @returns The trusted certificate that matched.
 * @throws {SignatureAuthenticityError} ERR_SIGNATURE_AUTHENTICITY when none matches.
 */
export function verifyChainTrust(
  chain: readonly Certificate[],
  trusted: readonly Certificate[],
): Certificate {
  for (const cert of chain) {
    const match = trusted.find((t) => t.equals(cert));
    if (match) return match;
  }
  throw new SignatureAuthenticityError(
    "signature is not produced by a trusted signer: no certificate of the signing chain is in the trust store; add the signer's root (or leaf) certificate to the trust store the policy names",
  );
}

/**
 * Checks that `time` lies inside every certificate's `[notBefore, notAfter]` (inclusive).
 *
 * @example
 * ```ts ignore
 * import { checkChainValidityAt } from "./chain_trust.ts";
 * checkChainValidityAt(chain, new Date());
 * ```
 * @param chain The certificates.
 * @param time The authentic time (now, a timestamp, or `authenticSigningTime`).
 * @throws {AuthenticTimestampError} ERR_SIGNATURE_AUTHENTIC_TIMESTAMP naming the first
 * certificate that is expired or not yet valid.
 */
export function checkChainValidityAt(chain: readonly Certificate[], time: Date): void {
  for (const cert of chain) {
    if (time.getTime() > cert.notAfter.getTime()) {
      throw new AuthenticTimestampError(
        `certificate with subject "${cert.subject}" is not valid anymore, it was expired at "${cert.notAfter.toISOString()}"`,
      );
    }
    if (time.getTime() < cert.notBefore.getTime()) {
      throw new AuthenticTimestampError(
        `certificate with subject "${cert.subject}" is not valid yet, it will be valid from "${cert.notBefore.toISOString()}"`,
      );
    }
  }
}
