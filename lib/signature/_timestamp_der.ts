/**
 * Private: the DER structures of an RFC 3161 TimeStampToken (CMS SignedData over a TSTInfo) as
 * parsed for reading and for verification. Every malformed input fails with
 * {@linkcode AuthenticTimestampError}.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { AuthenticTimestampError } from "../errors.ts";
import { children, oidOf, readChildren, readSingle, smallInt, TAG, timeOf } from "../x509/asn1.ts";
import type { DerElement } from "../x509/asn1.ts";
import { parseCertificate } from "../x509/certificate.ts";
import type { Certificate } from "../x509/certificate.ts";
import { SHA2_BY_OID } from "../x509/verify_signed_by.ts";
import type { Sha2 } from "../x509/verify_signed_by.ts";

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

export function fail(message: string, cause?: unknown): never {
  throw new AuthenticTimestampError(
    message,
    cause === undefined ? undefined : { cause },
  );
}

export function hashOf(
  algorithm: DerElement | undefined,
  what: string,
): Sha2 {
  const id = oidOf(children(algorithm, what)[0], what);
  const hash = SHA2_BY_OID[id];
  if (!hash) fail(`the timestamp token uses an unsupported hash algorithm ${id} for its ${what}`);
  return hash;
}

export interface TstInfo {
  hash: Sha2;
  imprintAlgorithm: Bytes;
  hashedMessage: Bytes;
  genTime: Date;
  accuracyMs: number;
  nonce: Bytes | undefined;
}

function parseTstInfo(der: Bytes): TstInfo {
  const fields = children(readSingle(der), "TSTInfo");
  const [version, policy, imprint, , genTime, ...rest] = fields;
  if (version?.tag !== TAG.INTEGER || smallInt(version, "TSTInfo version") !== 1) {
    fail("the timestamp token has an unsupported TSTInfo version; only version 1 is supported");
  }
  const policyId = oidOf(policy, "TSTInfo policy");
  const [hashAlgorithm, hashed] = children(imprint, "messageImprint");
  const hash = hashOf(hashAlgorithm, "message imprint");
  if (hashed?.tag !== TAG.OCTET_STRING) fail("the timestamp token has a malformed message imprint");
  let accuracyMs = 0;
  const accuracy = rest[0]?.tag === TAG.SEQUENCE ? rest[0] : undefined;
  if (accuracy) {
    for (const part of readChildren(accuracy)) {
      const value = smallInt(part, "TSTInfo accuracy");
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
    genTime: timeOf(genTime, "genTime"),
    accuracyMs,
    nonce: nonce?.content,
  };
}

export interface SignedAttributes {
  contentType?: string;
  messageDigest?: Bytes;
  signingTime?: Date;
  essCertHash?: { hash: Sha2; value: Bytes };
}

export function parseSignedAttributes(el: DerElement): SignedAttributes {
  const out: SignedAttributes = {};
  const seen = new Set<string>();
  for (const attr of readChildren(el)) {
    const [type, values] = children(attr, "signed attribute");
    const id = oidOf(type, "signed attribute type");
    if (seen.has(id)) fail(`the timestamp token repeats the signed attribute ${id}`);
    seen.add(id);
    const [value, extra] = children(values, `signed attribute ${id}`, TAG.SET);
    if (value === undefined || extra !== undefined) {
      fail(`the timestamp token's signed attribute ${id} must have exactly one value`);
    }
    if (id === OID.contentType) out.contentType = oidOf(value, "content-type attribute");
    else if (id === OID.messageDigest) {
      if (value.tag !== TAG.OCTET_STRING) fail("the timestamp token's message-digest is malformed");
      out.messageDigest = value.content;
    } else if (id === OID.signingTime) out.signingTime = timeOf(value, "signing-time");
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
  if (oidOf(contentType, "content type") !== OID.signedData) {
    fail("the timestamp token is not a CMS SignedData");
  }
  const [signedData] = children(wrapped, "SignedData wrapper", 0xa0);
  const fields = children(signedData, "SignedData");
  const encap = fields[2];
  const [eContentType, eContentWrapper] = children(encap, "encapsulated content");
  if (oidOf(eContentType, "encapsulated content type") !== OID.tstInfo) {
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
