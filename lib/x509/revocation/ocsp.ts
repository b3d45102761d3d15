/**
 * OCSP (RFC 6960) status of one certificate, as notation-core-go asks it: a SHA-1 CertID
 * request without nonce, sent with GET (POST when the encoded request is 255 characters or
 * more) to each responder the certificate names, until one gives a definite answer.
 *
 * A response counts only when it is a successful basic response, signed by the issuer or by a
 * responder certificate the issuer signed that carries the OCSP-signing extended key usage, with
 * a SingleResponse whose CertID matches the certificate (serial, issuer name and key hashes), no
 * unsupported critical extension, a `thisUpdate` not in the future and a `nextUpdate` not past.
 * Anything else makes that responder's answer `unknown`.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6960
 * @module
 */
import type { Bytes } from "../../_internal/bytes.ts";
import { concat, toBase64, toHex } from "../../_internal/bytes.ts";
import { AbortedError, OcisignError, RevocationError } from "../../errors.ts";
import {
  children,
  encodeDer,
  encodeOid,
  oidOf,
  readSingle,
  smallInt,
  TAG,
  timeOf,
} from "../asn1.ts";
import type { DerElement } from "../asn1.ts";
import { EKU, parseCertificate } from "../certificate.ts";
import type { Certificate } from "../certificate.ts";
import { isHttpUrl } from "./_certificate_urls.ts";
import { certificateParts, integerKey, MalformedError, parseExtensions } from "./_der.ts";
import { fetchBounded } from "./_http.ts";
import { verifySignedBy } from "../verify_signed_by.ts";
import { DEFAULT_OCSP_TIMEOUT_MS, MAX_OCSP_RESPONSE_BYTES } from "./revocation_client.ts";
import type { RevocationClient } from "./revocation_client.ts";
import type { CertRevocationResult, RevocationServerResult } from "./revocation_result.ts";

const OID_SHA1 = "1.3.14.3.2.26";
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

async function hash(name: string, data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest(name, data as Uint8Array<ArrayBuffer>));
}

async function certIdHashes(
  hashName: string,
  issuer: Certificate,
): Promise<{ nameHash: Bytes; keyHash: Bytes }> {
  return {
    nameHash: await hash(hashName, issuer.rawSubject),
    keyHash: await hash(hashName, certificateParts(issuer).publicKeyBits),
  };
}

/**
 * The DER OCSPRequest for `cert` (one SHA-1 CertID, no extensions), as Go's `ocsp.CreateRequest`.
 *
 * @example
 * ```ts ignore
 * import { createOcspRequest } from "./ocsp.ts";
 * const der = await createOcspRequest(leaf, issuer);
 * ```
 * @param cert The certificate asked about.
 * @param issuer Its issuer.
 * @returns The request bytes.
 */
export async function createOcspRequest(cert: Certificate, issuer: Certificate): Promise<Bytes> {
  const { nameHash, keyHash } = await certIdHashes("SHA-1", issuer);
  const algorithm = encodeDer(
    TAG.SEQUENCE,
    concat([encodeOid(OID_SHA1), encodeDer(TAG.NULL, new Uint8Array(0))]),
  );
  const certId = encodeDer(
    TAG.SEQUENCE,
    concat([
      algorithm,
      encodeDer(TAG.OCTET_STRING, nameHash),
      encodeDer(TAG.OCTET_STRING, keyHash),
      encodeDer(TAG.INTEGER, certificateParts(cert).serial),
    ]),
  );
  const request = encodeDer(TAG.SEQUENCE, certId);
  const requestList = encodeDer(TAG.SEQUENCE, request);
  const tbsRequest = encodeDer(TAG.SEQUENCE, requestList);
  return encodeDer(TAG.SEQUENCE, tbsRequest);
}

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
 * import { parseOcspResponse } from "./ocsp.ts";
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
    if (bad !== undefined) fail(`bad OCSP signature: ${bad}`);
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
      new RevocationError(`OCSPServer protocol of ${JSON.stringify(server)} is not supported`),
    );
  }
  const timeoutMs = opts.client.ocspTimeoutMs ?? DEFAULT_OCSP_TIMEOUT_MS;
  const encoded = encodeURIComponent(toBase64(request));
  const get = encoded.length < 255;
  try {
    const body = await fetchBounded(
      opts.client.fetch,
      get ? `${server.replace(/\/+$/, "")}/${encoded}` : server,
      get ? { method: "GET" } : {
        method: "POST",
        headers: { "Content-Type": "application/ocsp-request" },
        body: request,
      },
      {
        timeoutMs,
        maxBytes: MAX_OCSP_RESPONSE_BYTES,
        what: `the OCSP response from ${server}`,
        timeoutMessage: `exceeded timeout threshold of ${
          (timeoutMs / 1000).toFixed(2)
        } seconds for OCSP check`,
        signal: opts.signal,
      },
    );
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
      new RevocationError("certificate has unknown status via OCSP"),
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
