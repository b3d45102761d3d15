/**
 * Reads and judges an OCSP response (RFC 6960 §4.2) as notation-core-go does: it counts only when
 * it is a successful basic response, signed by the issuer or by a responder certificate the
 * issuer signed that carries the OCSP-signing extended key usage, with a SingleResponse whose
 * CertID matches the certificate (serial, issuer name and key hashes), no unsupported critical
 * extension, a `thisUpdate` not in the future and a `nextUpdate` not past.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6960
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { toHex } from "../../_internal/bytes.ts";
import { OcisignError, RevocationError } from "../../errors.ts";
import { children, oidOf, readSingle, smallInt, TAG, timeOf } from "../asn1.ts";
import type { DerElement } from "../asn1.ts";
import { EKU, parseCertificate } from "../certificate.ts";
import type { Certificate } from "../certificate.ts";
import { verifySignedBy } from "../verify_signed_by.ts";
import { parseExtensions } from "../_extensions.ts";
import { certificateParts, integerKey, MalformedError } from "./_der.ts";
import { certIdHashes, OID_SHA1 } from "./_ocsp_cert_id.ts";

const OID_BASIC_RESPONSE = "1.3.6.1.5.5.7.48.1.1";
const OID_INVALIDITY_DATE = "2.5.29.24";
/** A responder's clock may run this far ahead of ours. */
const CLOCK_SKEW_MS = 5 * 60_000;

const HASHES: Readonly<Record<string, string>> = {
  [OID_SHA1]: "SHA-1",
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

const STATUS_ERRORS: Readonly<Record<number, string>> = {
  1: "OCSP malformed",
  2: "OCSP internal error",
  3: "OCSP try later",
  5: "OCSP signature required",
  6: "OCSP unauthorized",
};

/** The verified answer about one certificate. */
export interface OcspSingleResponse {
  /** The certificate status the responder gives. */
  status: "good" | "revoked" | "unknown";
  /** When the status was known to be correct. */
  thisUpdate: Date;
  /** When newer information will be available (required: a response without it is expired). */
  nextUpdate: Date | undefined;
  /** The invalidity date extension of a revoked certificate, when present. */
  invalidityDate: Date | undefined;
}

function fail(message: string): never {
  throw new RevocationError(message);
}

function bitStringBytes(el: DerElement | undefined, what: string): Bytes {
  if (el?.tag !== TAG.BIT_STRING || el.content[0] !== 0) throw new MalformedError(`bad ${what}`);
  return el.content.subarray(1);
}

async function signerOf(
  basic: DerElement[],
  issuer: Certificate,
): Promise<Certificate> {
  const certsField = basic.find((f) => f.tag === 0xa0);
  if (!certsField) return issuer;
  const [first] = children(readSingle(certsField.content), "response certificates");
  if (!first) return issuer;
  const responder = parseCertificate(first.raw);
  if (responder.equals(issuer)) return issuer;
  // RFC 6960 §4.2.2.2: a delegated responder is issued by the CA and has id-kp-OCSPSigning
  const bad = await responder.checkSignature(issuer);
  if (bad !== undefined) fail(`bad OCSP signature: the responder certificate: ${bad}`);
  if (!responder.extendedKeyUsage?.oids.includes(EKU.ocspSigning)) {
    fail(
      `the OCSP responder certificate ${
        JSON.stringify(responder.subject)
      } is not authorized: it lacks the OCSPSigning extended key usage`,
    );
  }
  return responder;
}

function parseSingle(el: DerElement): OcspSingleResponse {
  const parts = children(el, "SingleResponse");
  const statusEl = parts[1];
  let status: OcspSingleResponse["status"];
  if (statusEl?.tag === 0x80) status = "good";
  else if (statusEl?.tag === 0xa1) status = "revoked";
  else if (statusEl?.tag === 0x82) status = "unknown";
  else throw new MalformedError("bad certStatus");
  const thisUpdate = timeOf(parts[2], "thisUpdate");
  let nextUpdate: Date | undefined;
  let invalidityDate: Date | undefined;
  for (const f of parts.slice(3)) {
    if (f.tag === 0xa0) nextUpdate = timeOf(readSingle(f.content), "nextUpdate");
    else if (f.tag === 0xa1) {
      for (const ext of parseExtensions(readSingle(f.content), "singleExtensions")) {
        if (ext.oid === OID_INVALIDITY_DATE) {
          invalidityDate = timeOf(readSingle(ext.value), "invalidity date");
        } else if (ext.critical) fail("unsupported critical extension in the OCSP response");
      }
    } else throw new MalformedError("bad SingleResponse");
  }
  return { status, thisUpdate, nextUpdate, invalidityDate };
}

async function matches(
  certId: DerElement[],
  serialKey: string,
  issuer: Certificate,
): Promise<boolean> {
  const [algorithm, nameHash, keyHash, serial] = certId;
  if (serial?.tag !== TAG.INTEGER || integerKey(serial.content) !== serialKey) return false;
  const hashName = HASHES[oidOf(children(algorithm, "CertID hash algorithm")[0], "hash algorithm")];
  if (hashName === undefined) fail("unsupported issuer hash algorithm in the OCSP response");
  const expected = await certIdHashes(hashName, issuer);
  return nameHash?.tag === TAG.OCTET_STRING && keyHash?.tag === TAG.OCTET_STRING &&
    toHex(nameHash.content) === toHex(expected.nameHash) &&
    toHex(keyHash.content) === toHex(expected.keyHash);
}

/**
 * Parses and verifies an OCSP response for `cert` (see the module documentation).
 *
 * @example
 * ```ts ignore
 * import { parseOcspResponse } from "./ocsp_response.ts";
 * const single = await parseOcspResponse(body, leaf, issuer, new Date());
 * console.log(single.status); // "good" | "revoked" | "unknown"
 * ```
 * @param der The response bytes.
 * @param cert The certificate asked about.
 * @param issuer Its issuer.
 * @param now The time the response must be fresh at.
 * @returns The certificate's single response.
 * @throws {RevocationError} ERR_SIGNATURE_REVOCATION when the response cannot be trusted.
 */
export async function parseOcspResponse(
  der: Bytes,
  cert: Certificate,
  issuer: Certificate,
  now: Date,
): Promise<OcspSingleResponse> {
  try {
    const [statusEl, bytesField] = children(readSingle(der), "OCSPResponse");
    const responseStatus = smallInt(statusEl, "responseStatus", TAG.ENUMERATED);
    if (responseStatus !== 0) {
      fail(STATUS_ERRORS[responseStatus] ?? `OCSP response status ${responseStatus}`);
    }
    if (bytesField?.tag !== 0xa0) throw new MalformedError("missing responseBytes");
    const [type, inner] = children(readSingle(bytesField.content), "responseBytes");
    if (oidOf(type, "responseType") !== OID_BASIC_RESPONSE) fail("bad OCSP response type");
    if (inner?.tag !== TAG.OCTET_STRING) throw new MalformedError("bad response");
    const basic = children(readSingle(inner.content), "BasicOCSPResponse");
    const [tbs, algorithm, signatureEl] = basic;
    const tbsFields = children(tbs, "ResponseData");
    const signer = await signerOf(basic.slice(3), issuer);
    const bad = await verifySignedBy(
      signer,
      algorithm,
      tbs!.raw,
      bitStringBytes(signatureEl, "signature"),
    );
    if (bad !== undefined) fail(`bad OCSP signature: ${bad.reason}`);
    const offset = tbsFields[0]?.tag === 0xa0 ? 1 : 0;
    const responses = children(tbsFields[offset + 2], "responses");
    const serialKey = integerKey(certificateParts(cert).serial);
    let found: OcspSingleResponse | undefined;
    for (const r of responses) {
      if (await matches(children(children(r, "SingleResponse")[0], "CertID"), serialKey, issuer)) {
        found = parseSingle(r);
        break;
      }
    }
    if (!found) fail("no response matching the supplied certificate");
    if (found.thisUpdate.getTime() > now.getTime() + CLOCK_SKEW_MS) {
      fail("the OCSP response's thisUpdate is in the future");
    }
    // notation-core-go: a response without nextUpdate, or past it, is expired
    if (found.nextUpdate === undefined || now.getTime() > found.nextUpdate.getTime()) {
      fail("expired OCSP response");
    }
    return found;
  } catch (err) {
    if (err instanceof OcisignError) throw err;
    throw new RevocationError(`malformed OCSP response: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
