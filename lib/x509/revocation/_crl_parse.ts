/**
 * Private: reads a DER CRL (RFC 5280 §5.1) and its revoked-certificate entries. Nothing here is
 * trusted; `_crl_check.ts` judges what is read.
 *
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { toHex } from "../../_internal/bytes.ts";
import { OcisignError, RevocationError } from "../../errors.ts";
import { children, readSingle, smallInt, TAG, timeOf } from "../asn1.ts";
import type { DerElement } from "../asn1.ts";
import { parseExtensions } from "../_extensions.ts";
import type { Extension } from "../_extensions.ts";
import { MalformedError } from "./_der.ts";

/** Extension OIDs of CRLs and their entries. */
export const OID = {
  crlNumber: "2.5.29.20",
  reasonCode: "2.5.29.21",
  invalidityDate: "2.5.29.24",
  deltaCrlIndicator: "2.5.29.27",
  issuingDistributionPoint: "2.5.29.28",
  freshestCrl: "2.5.29.46",
} as const;
/** Reason codes with a meaning of their own. */
export const REASON_CERTIFICATE_HOLD = 6;
export const REASON_REMOVE_FROM_CRL = 8;

/** A parsed certificate revocation list (signature not yet checked). */
export interface Crl {
  /** DER of the whole CRL (what is cached). */
  raw: Bytes;
  /** DER of the TBSCertList (what the signature covers). */
  tbs: Bytes;
  /** The signature AlgorithmIdentifier. */
  signatureAlgorithm: DerElement;
  /** The signature bytes. */
  signature: Bytes;
  /** DER of the issuer Name. */
  rawIssuer: Bytes;
  thisUpdate: Date;
  nextUpdate: Date | undefined;
  /** The revokedCertificates entries, unparsed. */
  entries: DerElement[];
  extensions: Extension[];
  /** The cRLNumber, as a BigInt (absent when the CRL has none). */
  number: bigint | undefined;
}

/** A base CRL with its delta CRL, parsed. */
export interface Bundle {
  base: Crl;
  delta: Crl | undefined;
}

/** An unsigned INTEGER content as a bigint. */
export function bigIntOf(content: Uint8Array): bigint {
  return content.length === 0 ? 0n : BigInt(`0x${toHex(content)}`);
}

/** Parses a DER CRL; malformed input throws {@linkcode RevocationError}. */
export function parseCrl(der: Bytes): Crl {
  try {
    const [tbs, outerAlgorithm, signature, extra] = children(readSingle(der), "CertificateList");
    if (extra || signature?.tag !== TAG.BIT_STRING || signature.content[0] !== 0) {
      throw new MalformedError("bad CertificateList");
    }
    const f = children(tbs, "TBSCertList");
    let i = f[0]?.tag === TAG.INTEGER ? 1 : 0;
    const algorithm = f[i++];
    if (algorithm?.tag !== TAG.SEQUENCE || toHex(algorithm.raw) !== toHex(outerAlgorithm!.raw)) {
      throw new MalformedError("inner and outer signature algorithm identifiers don't match");
    }
    const issuer = f[i++];
    if (issuer?.tag !== TAG.SEQUENCE) throw new MalformedError("bad issuer");
    const thisUpdate = timeOf(f[i++], "thisUpdate");
    let nextUpdate: Date | undefined;
    if (f[i]?.tag === TAG.UTC_TIME || f[i]?.tag === TAG.GENERALIZED_TIME) {
      nextUpdate = timeOf(f[i++], "nextUpdate");
    }
    const entries = f[i]?.tag === TAG.SEQUENCE ? children(f[i++], "revokedCertificates") : [];
    const extensions = f[i]?.tag === 0xa0
      ? parseExtensions(readSingle(f[i++]!.content), "crlExtensions")
      : [];
    if (i !== f.length) throw new MalformedError("trailing TBSCertList fields");
    const numberExt = extensions.find((e) => e.oid === OID.crlNumber);
    let number: bigint | undefined;
    if (numberExt) {
      const n = readSingle(numberExt.value, TAG.INTEGER);
      number = bigIntOf(n.content);
    }
    return {
      raw: der,
      tbs: tbs!.raw,
      signatureAlgorithm: algorithm,
      signature: signature.content.subarray(1),
      rawIssuer: issuer.raw,
      thisUpdate,
      nextUpdate,
      entries,
      extensions,
      number,
    };
  } catch (err) {
    if (err instanceof OcisignError) throw err;
    throw new RevocationError(`malformed CRL: ${(err as Error).message}`, { cause: err });
  }
}

/** One revoked-certificate entry. */
export interface Entry {
  revocationTime: Date;
  reason: number | undefined;
  invalidityDate: Date | undefined;
}

/** Reads a revoked-certificate entry; an unsupported critical extension is refused. */
export function parseEntry(el: DerElement): Entry {
  const [, date, extensions] = children(el, "revoked certificate entry");
  const entry: Entry = {
    revocationTime: timeOf(date, "revocationDate"),
    reason: undefined,
    invalidityDate: undefined,
  };
  if (extensions === undefined) return entry;
  for (const ext of parseExtensions(extensions, "crlEntryExtensions")) {
    if (ext.oid === OID.reasonCode) {
      entry.reason = smallInt(readSingle(ext.value), "reasonCode", TAG.ENUMERATED);
    } else if (ext.oid === OID.invalidityDate) {
      entry.invalidityDate = timeOf(readSingle(ext.value), "invalidity date");
    } else if (ext.critical) {
      throw new RevocationError(`unsupported critical extension found in CRL: ${ext.oid}`);
    }
  }
  return entry;
}
