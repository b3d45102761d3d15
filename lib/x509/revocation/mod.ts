/**
 * Certificate revocation checking with OCSP and CRLs, as notation does it: per certificate of a
 * chain, OCSP when the certificate names a responder (falling back to its CRLs when OCSP gives
 * no definite answer), else its CRLs, else "non-revokable". Every answer is verified (signer,
 * certificate match, freshness); anything unverifiable is `unknown`, never `ok`. The network is
 * injected as a {@linkcode RevocationClient}, optionally with a {@linkcode CrlCache} (e.g.
 * {@linkcode FsCrlCache}, notation's file format) that keeps CRLs until their `nextUpdate`.
 * Used by verification (signing and TSA chains) and by signing (the TSA chain of a timestamp).
 *
 * @example
 * ```ts ignore
 * import { checkChainRevocation, revocationFinalResult } from "./mod.ts";
 * const results = await checkChainRevocation(chain, { client: { fetch } });
 * const { status, subject } = revocationFinalResult(results, chain);
 * if (status === "revoked") console.log(`signing certificate with subject "${subject}" is revoked`);
 * ```
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#certificate-revocation-evaluation
 * @module
 */
export * from "./revocation_client.ts";
export * from "./revocation_result.ts";
export * from "./ocsp_request.ts";
export * from "./ocsp_response.ts";
export * from "./ocsp.ts";
export * from "./crl.ts";
export * from "./crl_cache.ts";
export * from "./fs_crl_cache.ts";
export * from "./check_chain_revocation.ts";
export * from "./assert_not_revoked.ts";
