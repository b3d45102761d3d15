/**
 * Verification of an RFC 3161 timestamp countersignature (a CMS SignedData TimeStampToken) as
 * notation does for `notary.x509` signatures, shared by signing (which checks the token the TSA
 * returned before embedding it) and verification: the token's message imprint is the hash of
 * the signature bytes, its CMS signature verifies with the TSA certificate named by the ESS
 * signing-certificate-v2 attribute, and that certificate chains, at the token's time (or the
 * time given), to a trusted root under the timestamping certificate profile.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3161
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signing-and-verification-workflow.md
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat, timingSafeEqual, toHex } from "../_internal/bytes.ts";
import { AuthenticTimestampError, OcisignError } from "../errors.ts";
import { decodeOid, readChildren, readSingle, TAG } from "../x509/asn1.ts";
import type { DerElement } from "../x509/asn1.ts";
import { EKU, parseCertificate } from "../x509/certificate.ts";
import type { Certificate } from "../x509/certificate.ts";

const OID = {
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

/** CMS signature algorithms: PKCS#1 v1.5 and ECDSA, with the hash they imply (if any). */
const SIGNATURE_ALGORITHMS: Readonly<
  Record<string, { kind: "RSA" | "EC"; hash?: "SHA-256" | "SHA-384" | "SHA-512" }>
> = {
  [OID.rsaEncryption]: { kind: "RSA" },
  "1.2.840.113549.1.1.11": { kind: "RSA", hash: "SHA-256" },
  "1.2.840.113549.1.1.12": { kind: "RSA", hash: "SHA-384" },
  "1.2.840.113549.1.1.13": { kind: "RSA", hash: "SHA-512" },
  [OID.ecPublicKey]: { kind: "EC" },
  "1.2.840.10045.4.3.2": { kind: "EC", hash: "SHA-256" },
  "1.2.840.10045.4.3.3": { kind: "EC", hash: "SHA-384" },
  "1.2.840.10045.4.3.4": { kind: "EC", hash: "SHA-512" },
};

const MAX_CHAIN_DEPTH = 10;

/** What a verified timestamp establishes. */
export interface VerifiedTimestamp {
  /** The TSA's time (`genTime`). */
  genTime: Date;
  /** The accuracy in milliseconds (1 s for the baseline policy without one, else 0). */
  accuracyMs: number;
  /** The TSA chain that was validated, TSA certificate first, trusted root last. */
  tsaChain: Certificate[];
}

/** Options for {@linkcode verifyTimestampToken}. */
export interface VerifyTimestampTokenOptions {
  /** The bytes that were timestamped: the envelope's primitive signature. */
  signature: Bytes;
  /** Trusted TSA roots (the certificates of the policy's `tsa` stores). */
  trustedRoots: readonly Certificate[];
  /** When the TSA chain must be valid (default: the token's genTime; notation signs at now). */
  validAt?: Date;
  /** Names the trusted roots in errors (default: `the policy's tsa trust stores`). */
  trustedRootsName?: string;
}

function fail(message: string, cause?: unknown): never {
  throw new AuthenticTimestampError(
    message,
    cause === undefined ? undefined : { cause },
  );
}

function children(
  el: DerElement | undefined,
  what: string,
  tag: number = TAG.SEQUENCE,
): DerElement[] {
  if (el === undefined || el.tag !== tag) fail(`the timestamp token is malformed: bad ${what}`);
  return readChildren(el);
}

function oid(el: DerElement | undefined, what: string): string {
  if (el === undefined || el.tag !== TAG.OID) fail(`the timestamp token is malformed: bad ${what}`);
  return decodeOid(el.content);
}

function smallInteger(content: Uint8Array): number {
  if (content.length > 6) fail("the timestamp token is malformed: integer too large");
  let n = 0;
  for (const b of content) n = n * 256 + b;
  return n;
}

function hashOf(
  algorithm: DerElement | undefined,
  what: string,
): "SHA-256" | "SHA-384" | "SHA-512" {
  const id = oid(children(algorithm, what)[0], what);
  const hash = HASHES[id];
  if (!hash) fail(`the timestamp token uses an unsupported hash algorithm ${id} for its ${what}`);
  return hash;
}

async function digest(hash: string, data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest(hash, data as Uint8Array<ArrayBuffer>));
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

interface TstInfo {
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

function rawEcdsaSignature(der: Bytes, size: number): Bytes {
  const [r, s, extra] = children(readSingle(der), "ECDSA signature");
  if (!r || !s || extra || r.tag !== TAG.INTEGER || s.tag !== TAG.INTEGER) {
    fail("the timestamp token's ECDSA signature is malformed");
  }
  const bytes = Math.ceil(size / 8);
  const pad = (n: Bytes): Bytes => {
    let i = 0;
    while (i < n.length - 1 && n[i] === 0) i++;
    const v = n.slice(i);
    if (v.length > bytes) fail("the timestamp token's ECDSA signature is malformed");
    const out = new Uint8Array(bytes);
    out.set(v, bytes - v.length);
    return out;
  };
  return concat([pad(r.content), pad(s.content)]);
}

async function verifyCmsSignature(
  signer: Certificate,
  algorithm: { kind: "RSA" | "EC"; hash?: string },
  digestHash: string,
  signature: Bytes,
  data: Bytes,
): Promise<boolean> {
  const hash = algorithm.hash ?? digestHash;
  const { keyType, size } = signer.publicKeyInfo;
  if (keyType !== algorithm.kind) return false;
  try {
    if (keyType === "RSA") {
      const key = await crypto.subtle.importKey(
        "spki",
        signer.spki,
        { name: "RSASSA-PKCS1-v1_5", hash },
        false,
        ["verify"],
      );
      return await crypto.subtle.verify("RSASSA-PKCS1-v1_5", key, signature, data);
    }
    const namedCurve = size === 256
      ? "P-256"
      : size === 384
      ? "P-384"
      : size === 521
      ? "P-521"
      : "";
    if (namedCurve === "") return false;
    const key = await crypto.subtle.importKey(
      "spki",
      signer.spki,
      { name: "ECDSA", namedCurve },
      false,
      ["verify"],
    );
    return await crypto.subtle.verify(
      { name: "ECDSA", hash },
      key,
      rawEcdsaSignature(signature, size),
      data,
    );
  } catch (err) {
    if (err instanceof OcisignError) throw err;
    return false;
  }
}

interface SignedAttributes {
  contentType?: string;
  messageDigest?: Bytes;
  signingTime?: Date;
  essCertHash?: { hash: "SHA-256" | "SHA-384" | "SHA-512"; value: Bytes };
}

function parseSignedAttributes(el: DerElement): SignedAttributes {
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

function checkTsaLeaf(cert: Certificate): void {
  // Notary Project timestamping profile: digitalSignature, and exactly the timeStamping EKU, critical
  if (!cert.hasKeyUsage("digitalSignature")) {
    fail(
      `the TSA certificate ${JSON.stringify(cert.subject)} lacks the digitalSignature key usage`,
    );
  }
  const eku = cert.extendedKeyUsage;
  if (!eku || !eku.critical || eku.oids.length !== 1 || eku.oids[0] !== EKU.timeStamping) {
    fail(
      `the TSA certificate ${
        JSON.stringify(cert.subject)
      } must have exactly the timeStamping extended key usage, marked critical`,
    );
  }
  if (cert.isCa) fail(`the TSA certificate ${JSON.stringify(cert.subject)} must not be a CA`);
}

async function buildTsaChain(
  leaf: Certificate,
  pool: readonly Certificate[],
  roots: readonly Certificate[],
  at: Date,
  atName: string,
  rootsName: string,
): Promise<Certificate[]> {
  const chain = [leaf];
  let current = leaf;
  for (let depth = 0; depth <= MAX_CHAIN_DEPTH; depth++) {
    if (!current.isValidAt(at)) {
      fail(
        `the TSA certificate ${
          JSON.stringify(current.subject)
        } was not valid at ${atName}${at.toISOString()}`,
      );
    }
    if (roots.some((r) => r.equals(current))) return chain;
    if (current.isSelfIssued) break;
    const issuerBytes = toHex(current.rawIssuer);
    let parent: Certificate | undefined;
    for (const candidate of [...roots, ...pool]) {
      if (toHex(candidate.rawSubject) !== issuerBytes) continue;
      if (await current.checkSignatureFrom(candidate) === undefined) {
        parent = candidate;
        break;
      }
    }
    if (!parent) break;
    chain.push(parent);
    current = parent;
  }
  fail(
    `the TSA certificate ${
      JSON.stringify(leaf.subject)
    } does not chain to a certificate of ${rootsName}`,
  );
}

/**
 * Verifies a TimeStampToken over an envelope's signature bytes and returns the time it
 * establishes. BER-only tokens (indefinite lengths) are refused.
 *
 * @example
 * ```ts ignore
 * import { verifyTimestampToken } from "./timestamp_token.ts";
 * const { genTime, accuracyMs } = await verifyTimestampToken(token, {
 *   signature: content.signerInfo.signature,
 *   trustedRoots: tsaCertificates,
 * });
 * ```
 * @param token DER TimeStampToken (`io.cncf.notary.timestampSignature`).
 * @param opts The timestamped bytes and the trusted TSA roots.
 * @returns The genTime, its accuracy and the TSA chain.
 * @throws {AuthenticTimestampError} ERR_SIGNATURE_AUTHENTIC_TIMESTAMP when anything fails.
 */
export async function verifyTimestampToken(
  token: Bytes,
  opts: VerifyTimestampTokenOptions,
): Promise<VerifiedTimestamp> {
  try {
    return await verifyToken(token, opts);
  } catch (err) {
    if (err instanceof OcisignError) throw err;
    fail(`the timestamp token is malformed: ${(err as Error).message}`, err);
  }
}

interface TokenParts {
  eContent: Bytes;
  tst: TstInfo;
  pool: Certificate[];
  signerInfo: DerElement[];
}

function parseToken(token: Bytes): TokenParts {
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

/** What a timestamp token claims, read without verifying it (for `inspect`). */
export interface TimestampTokenInfo {
  /** The TSA's time (`genTime`). */
  genTime: Date;
  /** The accuracy in milliseconds. */
  accuracyMs: number;
  /** The message imprint's hash. */
  hash: "SHA-256" | "SHA-384" | "SHA-512";
  /** DER of the message imprint's AlgorithmIdentifier (OID and parameters). */
  imprintAlgorithm: Bytes;
  /** The message imprint's hashed message. */
  hashedMessage: Bytes;
  /** The TSTInfo nonce as DER INTEGER content bytes, when present. */
  nonce: Bytes | undefined;
  /** The certificates the token carries. */
  certificates: Certificate[];
}

/**
 * Reads a TimeStampToken's time, accuracy and certificates without verifying anything. Never
 * trust the result; use {@linkcode verifyTimestampToken} to verify.
 *
 * @example
 * ```ts ignore
 * import { readTimestampToken } from "./timestamp_token.ts";
 * const { genTime, accuracyMs } = readTimestampToken(token);
 * ```
 * @param token DER TimeStampToken.
 * @returns What it claims.
 * @throws {AuthenticTimestampError} ERR_SIGNATURE_AUTHENTIC_TIMESTAMP when it is malformed.
 */
export function readTimestampToken(token: Bytes): TimestampTokenInfo {
  try {
    const { tst, pool } = parseToken(token);
    return {
      genTime: tst.genTime,
      accuracyMs: tst.accuracyMs,
      hash: tst.hash,
      imprintAlgorithm: tst.imprintAlgorithm,
      hashedMessage: tst.hashedMessage,
      nonce: tst.nonce,
      certificates: pool,
    };
  } catch (err) {
    if (err instanceof OcisignError) throw err;
    fail(`the timestamp token is malformed: ${(err as Error).message}`, err);
  }
}

async function verifyToken(
  token: Bytes,
  opts: VerifyTimestampTokenOptions,
): Promise<VerifiedTimestamp> {
  const { eContent, tst, pool, signerInfo: si } = parseToken(token);

  // RFC 3161: the message imprint is the hash of the timestamped data (the signature bytes)
  const imprint = await digest(tst.hash, opts.signature);
  if (!timingSafeEqual(imprint, tst.hashedMessage)) {
    fail("the timestamp token's message imprint does not match the signature it countersigns");
  }

  const digestHash = hashOf(si[2], "signer digest");
  const signedAttrs = si[3];
  if (signedAttrs?.tag !== 0xa0) fail("the timestamp token has no signed attributes");
  const attrs = parseSignedAttributes(signedAttrs);
  if (attrs.contentType !== OID.tstInfo) {
    fail("the timestamp token's content-type attribute is not TSTInfo");
  }
  const contentDigest = await digest(digestHash, eContent);
  if (!attrs.messageDigest || !timingSafeEqual(contentDigest, attrs.messageDigest)) {
    fail("the timestamp token's message-digest attribute does not match its TSTInfo");
  }
  if (!attrs.essCertHash) {
    fail("the timestamp token has no signing-certificate-v2 attribute naming its TSA certificate");
  }
  const essHash = attrs.essCertHash;
  let signer: Certificate | undefined;
  for (const cert of pool) {
    if (timingSafeEqual(await digest(essHash.hash, cert.raw), essHash.value)) {
      signer = cert;
      break;
    }
  }
  if (!signer) {
    fail("the TSA certificate named by signing-certificate-v2 is not in the timestamp token");
  }
  const sigAlgId = oid(children(si[4], "signature algorithm")[0], "signature algorithm");
  const algorithm = SIGNATURE_ALGORITHMS[sigAlgId];
  if (!algorithm) fail(`the timestamp token's signature algorithm ${sigAlgId} is not supported`);
  const signatureValue = si[5];
  if (signatureValue?.tag !== TAG.OCTET_STRING) {
    fail("the timestamp token's signature is malformed");
  }
  // CMS: the signature covers the DER of the signed attributes with an explicit SET tag
  const signedBytes = concat([new Uint8Array([TAG.SET]), signedAttrs.raw.slice(1)]);
  if (
    !await verifyCmsSignature(signer, algorithm, digestHash, signatureValue.content, signedBytes)
  ) {
    fail("the timestamp token's signature does not verify with its TSA certificate");
  }

  checkTsaLeaf(signer);
  const tsaChain = await buildTsaChain(
    signer,
    pool,
    opts.trustedRoots,
    opts.validAt ?? tst.genTime,
    opts.validAt ? "" : "the timestamp's time ",
    opts.trustedRootsName ?? "the policy's tsa trust stores",
  );
  for (const cert of tsaChain.slice(1)) {
    if (!cert.isCa || (cert.keyUsage && !cert.hasKeyUsage("keyCertSign"))) {
      fail(`the TSA chain certificate ${JSON.stringify(cert.subject)} is not a CA`);
    }
  }
  if (attrs.signingTime) {
    for (const cert of tsaChain) {
      if (!cert.isValidAt(attrs.signingTime)) {
        fail(
          `the timestamp token's signing-time is outside the validity of ${
            JSON.stringify(cert.subject)
          }`,
        );
      }
    }
  }
  return { genTime: tst.genTime, accuracyMs: tst.accuracyMs, tsaChain };
}
