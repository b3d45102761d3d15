/**
 * Private: the DER structures of an RFC 3161 TimeStampToken (CMS SignedData over a TSTInfo) as
 * parsed for reading and for verification. Every malformed input fails with
 * {@linkcode AuthenticTimestampError}.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { AuthenticTimestampError } from "../errors.ts";
import { decodeOid, readChildren, readSingle, TAG } from "../x509/asn1.ts";
import type { DerElement } from "../x509/asn1.ts";
import { parseCertificate } from "../x509/certificate.ts";
import type { Certificate } from "../x509/certificate.ts";

export const OID = {
  signedData: "1.2.840.113549.1.7.2",
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  rsaEncryption: "1.2.840.113549.1.1.1",
  ecPublicKey: "1.2.840.10045.2.1",
  baselinePolicy: "0.4.0.2023.1.1",
} as const;

/** Hash algorithms a token may use (SHA-1 and MD5 are refused). */
const HASHES: Readonly<Record<string, "SHA-256" | "SHA-384" | "SHA-512">> = {
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

export function fail(message: string, cause?: unknown): never {
  throw new AuthenticTimestampError(
    message,
    cause === undefined ? undefined : { cause },
  );
}

export function children(
  el: DerElement | undefined,
  what: string,
  tag: number = TAG.SEQUENCE,
): DerElement[] {
  if (el === undefined || el.tag !== tag) fail(`the timestamp token is malformed: bad ${what}`);
  return readChildren(el);
}

export function oid(el: DerElement | undefined, what: string): string {
  if (el === undefined || el.tag !== TAG.OID) fail(`the timestamp token is malformed: bad ${what}`);
  return decodeOid(el.content);
}

function smallInteger(content: Uint8Array): number {
  if (content.length > 6) fail("the timestamp token is malformed: integer too large");
  let n = 0;
  for (const b of content) n = n * 256 + b;
  return n;
}

export function hashOf(
  algorithm: DerElement | undefined,
  what: string,
): "SHA-256" | "SHA-384" | "SHA-512" {
  const id = oid(children(algorithm, what)[0], what);
  const hash = HASHES[id];
  if (!hash) fail(`the timestamp token uses an unsupported hash algorithm ${id} for its ${what}`);
  return hash;
}

function parseTime(el: DerElement | undefined, what: string): Date {
  if (el === undefined || (el.tag !== 0x18 && el.tag !== 0x17)) {
    fail(`the timestamp token is malformed: bad ${what}`);
  }
  const text = new TextDecoder().decode(el.content);
  const m = el.tag === 0x18
    ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/.exec(text)
    : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) fail(`the timestamp token has an invalid ${what} ${JSON.stringify(text)}`);
  let year = Number(m[1]);
  if (el.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(
    Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms),
  );
}

export interface TstInfo {
  hash: "SHA-256" | "SHA-384" | "SHA-512";
  imprintAlgorithm: Bytes;
  hashedMessage: Bytes;
  genTime: Date;
  accuracyMs: number;
  nonce: Bytes | undefined;
}

function parseTstInfo(der: Bytes): TstInfo {
  const fields = children(readSingle(der), "TSTInfo");
  const [version, policy, imprint, , genTime, ...rest] = fields;
  if (version?.tag !== TAG.INTEGER || smallInteger(version.content) !== 1) {
    fail("the timestamp token has an unsupported TSTInfo version; only version 1 is supported");
  }
  const policyId = oid(policy, "TSTInfo policy");
  const [hashAlgorithm, hashed] = children(imprint, "messageImprint");
  const hash = hashOf(hashAlgorithm, "message imprint");
  if (hashed?.tag !== TAG.OCTET_STRING) fail("the timestamp token has a malformed message imprint");
  let accuracyMs = 0;
  const accuracy = rest[0]?.tag === TAG.SEQUENCE ? rest[0] : undefined;
  if (accuracy) {
    for (const part of readChildren(accuracy)) {
      const value = smallInteger(part.content);
      if (part.tag === TAG.INTEGER) accuracyMs += value * 1000;
      else if (part.tag === 0x80) accuracyMs += value;
      else if (part.tag === 0x81) accuracyMs += value / 1000;
    }
  }
  // tspclient: a zero accuracy under the baseline timestamp policy means one second
  if (accuracyMs === 0 && policyId === OID.baselinePolicy) accuracyMs = 1000;
  const nonce = rest.find((el) => el.tag === TAG.INTEGER);
  return {
    hash,
    imprintAlgorithm: hashAlgorithm!.raw,
    hashedMessage: hashed.content,
    genTime: parseTime(genTime, "genTime"),
    accuracyMs,
    nonce: nonce?.content,
  };
}

export interface SignedAttributes {
  contentType?: string;
  messageDigest?: Bytes;
  signingTime?: Date;
  essCertHash?: { hash: "SHA-256" | "SHA-384" | "SHA-512"; value: Bytes };
}

export function parseSignedAttributes(el: DerElement): SignedAttributes {
  const out: SignedAttributes = {};
  const seen = new Set<string>();
  for (const attr of readChildren(el)) {
    const [type, values] = children(attr, "signed attribute");
    const id = oid(type, "signed attribute type");
    if (seen.has(id)) fail(`the timestamp token repeats the signed attribute ${id}`);
    seen.add(id);
    const [value, extra] = children(values, `signed attribute ${id}`, TAG.SET);
    if (value === undefined || extra !== undefined) {
      fail(`the timestamp token's signed attribute ${id} must have exactly one value`);
    }
    if (id === OID.contentType) out.contentType = oid(value, "content-type attribute");
    else if (id === OID.messageDigest) {
      if (value.tag !== TAG.OCTET_STRING) fail("the timestamp token's message-digest is malformed");
      out.messageDigest = value.content;
    } else if (id === OID.signingTime) out.signingTime = parseTime(value, "signing-time");
    else if (id === OID.signingCertificateV2) {
      const [certs] = children(value, "signing-certificate-v2");
      const [first] = children(certs, "signing-certificate-v2 certs");
      const parts = children(first, "ESSCertIDv2");
      const hasAlgorithm = parts[0]?.tag === TAG.SEQUENCE;
      const hash = hasAlgorithm ? hashOf(parts[0], "signing certificate hash") : "SHA-256";
      const certHash = parts[hasAlgorithm ? 1 : 0];
      if (certHash?.tag !== TAG.OCTET_STRING) {
        fail("the timestamp token's ESSCertIDv2 is malformed");
      }
      out.essCertHash = { hash, value: certHash.content };
    }
  }
  return out;
}

export interface TokenParts {
  eContent: Bytes;
  tst: TstInfo;
  pool: Certificate[];
  signerInfo: DerElement[];
}

export function parseToken(token: Bytes): TokenParts {
  const [contentType, wrapped] = children(readSingle(token), "ContentInfo");
  if (oid(contentType, "content type") !== OID.signedData) {
    fail("the timestamp token is not a CMS SignedData");
  }
  const [signedData] = children(wrapped, "SignedData wrapper", 0xa0);
  const fields = children(signedData, "SignedData");
  const encap = fields[2];
  const [eContentType, eContentWrapper] = children(encap, "encapsulated content");
  if (oid(eContentType, "encapsulated content type") !== OID.tstInfo) {
    fail("the timestamp token does not hold a TSTInfo");
  }
  const [eContent] = children(eContentWrapper, "encapsulated content", 0xa0);
  if (eContent?.tag !== TAG.OCTET_STRING) fail("the timestamp token's TSTInfo is malformed");
  const tst = parseTstInfo(eContent.content);
  const pool: Certificate[] = [];
  let i = 3;
  if (fields[i]?.tag === 0xa0) {
    for (const c of readChildren(fields[i]!)) {
      if (c.tag === TAG.SEQUENCE) pool.push(parseCertificate(c.raw));
    }
    i++;
  }
  if (fields[i]?.tag === 0xa1) i++;
  const signerInfos = children(fields[i], "signerInfos", TAG.SET);
  if (signerInfos.length !== 1) {
    fail(`the timestamp token must have exactly one signer, found ${signerInfos.length}`);
  }
  return {
    eContent: eContent.content,
    tst,
    pool,
    signerInfo: children(signerInfos[0], "SignerInfo"),
  };
}
