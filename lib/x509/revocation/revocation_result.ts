/**
 * Revocation results per certificate and per server, and notation's rule for reducing a chain's
 * results to one verdict.
 *
 * @module
 */
import type { OcisignError } from "../../errors.ts";
import type { Certificate } from "../certificate.ts";

/**
 * A revocation status: `ok` (not revoked), `nonRevokable` (the certificate names no OCSP
 * responder and no CRL, or is the root), `revoked`, or `unknown` (no trustworthy answer).
 */
export type RevocationStatus = "ok" | "nonRevokable" | "revoked" | "unknown";

/** How a status was established. */
export type RevocationMethod = "ocsp" | "crl" | "ocspFallbackCrl" | "none";

/** The answer of one OCSP responder or CRL distribution point. */
export interface RevocationServerResult {
  /** The status this server established. */
  status: RevocationStatus;
  /** The URL asked (empty when none applied). */
  server: string;
  /** `ocsp` or `crl` (`none` for a certificate without endpoints). */
  method: RevocationMethod;
  /** What went wrong, or the revocation itself. */
  error?: OcisignError;
}

/** The revocation status of one certificate of a chain. */
export interface CertRevocationResult {
  /** The certificate's status. */
  status: RevocationStatus;
  /** How it was established. */
  method: RevocationMethod;
  /** Every server that contributed. */
  servers: RevocationServerResult[];
}

/** A chain's verdict. */
export interface RevocationVerdict {
  /** `ok` when every certificate is ok or non-revokable. */
  status: "ok" | "revoked" | "unknown";
  /** The subject of the certificate that decided a `revoked` or `unknown` verdict. */
  subject?: string;
}

/**
 * Reduces a chain's per-certificate results as notation does: `ok` only when every certificate
 * is ok or non-revokable; otherwise `revoked` when any certificate is revoked (naming the one
 * nearest the leaf), else `unknown` (naming the one nearest the leaf whose status is unknown).
 *
 * @example
 * ```ts
 * import { revocationFinalResult } from "./revocation_result.ts";
 * const verdict = revocationFinalResult([], []);
 * console.log(verdict.status); // "ok"
 * ```
 * @param results One result per certificate, leaf first.
 * @param chain The certificates, leaf first.
 * @returns The verdict and the deciding certificate's subject.
 */
export function revocationFinalResult(
  results: readonly CertRevocationResult[],
  chain: readonly Certificate[],
): RevocationVerdict {
  let subject: string | undefined;
  let status: RevocationVerdict["status"] = "ok";
  let revokedSubject: string | undefined;
  for (let i = results.length - 1; i >= 0; i--) {
    const r = results[i]!;
    if (r.status === "ok" || r.status === "nonRevokable") continue;
    status = "unknown";
    subject = chain[i]?.subject;
    if (r.status === "revoked") revokedSubject = subject;
  }
  if (revokedSubject !== undefined) return { status: "revoked", subject: revokedSubject };
  return status === "ok" ? { status } : { status, subject: subject ?? "" };
}
