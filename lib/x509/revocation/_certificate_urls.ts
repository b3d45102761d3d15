/**
 * Private: the revocation endpoints a certificate names, read as Go's `crypto/x509` does —
 * `OCSPServer` (Authority Information Access, id-ad-ocsp URIs) and `CRLDistributionPoints`
 * (fullName URIs) — and whether it has a Freshest CRL (delta CRL) extension.
 *
 * @module
 */
import { children, oidOf, readSingle } from "../asn1.ts";
import type { Certificate } from "../certificate.ts";
import { certificateParts } from "./_der.ts";

const OID_AIA = "1.3.6.1.5.5.7.1.1";
const OID_AD_OCSP = "1.3.6.1.5.5.7.48.1";
const OID_CRL_DP = "2.5.29.31";
const OID_FRESHEST_CRL = "2.5.29.46";
const URI_TAG = 0x86;

/** Where a certificate's revocation status can be asked. */
export interface RevocationEndpoints {
  /** OCSP responder URLs, in certificate order. */
  ocsp: string[];
  /** CRL distribution point URLs, in certificate order. */
  crl: string[];
  /** Whether the certificate names a Freshest CRL (delta CRL) location. */
  freshestCrl: boolean;
}

const decoder = new TextDecoder();

/**
 * The fullName URIs of a `CRLDistributionPoints` value (also the syntax of Freshest CRL).
 * Distribution points named relative to the CRL issuer are skipped, as Go does.
 */
export function distributionPointUrls(value: Uint8Array): string[] {
  const urls: string[] = [];
  for (const dp of children(readSingle(value), "CRL distribution points")) {
    const name = children(dp, "distribution point").find((p) => p.tag === 0xa0);
    if (!name) continue;
    const fullName = children(name, "distribution point name", 0xa0).find((p) => p.tag === 0xa0);
    if (!fullName) continue;
    for (const gn of children(fullName, "distribution point full name", 0xa0)) {
      if (gn.tag === URI_TAG) urls.push(decoder.decode(gn.content));
    }
  }
  return urls;
}

/** Reads the endpoints; malformed extensions throw a `SyntaxError`. */
export function revocationEndpoints(cert: Certificate): RevocationEndpoints {
  const out: RevocationEndpoints = { ocsp: [], crl: [], freshestCrl: false };
  for (const ext of certificateParts(cert).extensions) {
    if (ext.oid === OID_AIA) {
      for (const ad of children(readSingle(ext.value), "authority information access")) {
        const [method, location] = children(ad, "access description");
        if (oidOf(method, "access method") === OID_AD_OCSP && location?.tag === URI_TAG) {
          out.ocsp.push(decoder.decode(location.content));
        }
      }
    } else if (ext.oid === OID_CRL_DP) {
      out.crl.push(...distributionPointUrls(ext.value));
    } else if (ext.oid === OID_FRESHEST_CRL) {
      out.freshestCrl = true;
    }
  }
  return out;
}

/** Whether a URL uses plain HTTP, the only scheme notation fetches OCSP and CRLs over. */
export function isHttpUrl(url: string): boolean {
  try {
    return new URL(url).protocol === "http:";
  } catch {
    return false;
  }
}
