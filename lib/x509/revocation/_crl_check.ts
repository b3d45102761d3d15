/**
 * Private: judges a parsed CRL as notation-core-go does (issuer, signature, freshness,
 * critical extensions, delta numbering) and looks a serial number up in it.
 *
 * @module
 */
import { toHex } from "../../_internal/bytes.ts";
import { RevocationError } from "../../errors.ts";
import { children, readSingle, TAG } from "../asn1.ts";
import type { Certificate } from "../certificate.ts";
import { verifySignedBy } from "../verify_signed_by.ts";
import { integerKey } from "./_der.ts";
import {
  bigIntOf,
  OID,
  parseEntry,
  REASON_CERTIFICATE_HOLD,
  REASON_REMOVE_FROM_CRL,
} from "./_crl_parse.ts";
import type { Crl, Entry } from "./_crl_parse.ts";

/** A CA's clock may run this far ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

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
    throw new RevocationError(`CRL is not signed by CA ${issuer.subject}: ${bad.reason}`);
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

/** Validates a base CRL and its delta CRL against the issuer at `now`. */
export async function validateBundle(
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

/** notation-core-go's `checkRevocation` over the base and delta CRL entries. */
export function lookUp(
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
