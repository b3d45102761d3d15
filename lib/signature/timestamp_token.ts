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
import { OcisignError } from "../errors.ts";
import { children, oidOf, TAG } from "../x509/asn1.ts";
import { EKU } from "../x509/certificate.ts";
import type { Certificate } from "../x509/certificate.ts";
import { verifySignedBy } from "../x509/verify_signed_by.ts";
import { fail, hashOf, OID, parseSignedAttributes, parseToken } from "./_timestamp_der.ts";

/** CMS signature algorithms accepted: PKCS#1 v1.5 and ECDSA (key-only OIDs take the digest hash). */
const SIGNATURE_ALGORITHMS: ReadonlySet<string> = new Set([
  OID.rsaEncryption,
  "1.2.840.113549.1.1.11",
  "1.2.840.113549.1.1.12",
  "1.2.840.113549.1.1.13",
  OID.ecPublicKey,
  "1.2.840.10045.4.3.2",
  "1.2.840.10045.4.3.3",
  "1.2.840.10045.4.3.4",
]);

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

async function digest(hash: string, data: Uint8Array): Promise<Bytes> {
  return new Uint8Array(await crypto.subtle.digest(hash, data as Uint8Array<ArrayBuffer>));
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
  const sigAlgId = oidOf(children(si[4], "signature algorithm")[0], "signature algorithm");
  if (!SIGNATURE_ALGORITHMS.has(sigAlgId)) {
    fail(`the timestamp token's signature algorithm ${sigAlgId} is not supported`);
  }
  const signatureValue = si[5];
  if (signatureValue?.tag !== TAG.OCTET_STRING) {
    fail("the timestamp token's signature is malformed");
  }
  // CMS: the signature covers the DER of the signed attributes with an explicit SET tag
  const signedBytes = concat([new Uint8Array([TAG.SET]), signedAttrs.raw.slice(1)]);
  if (
    await verifySignedBy(signer, si[4], signedBytes, signatureValue.content, {
      keyOnlyHash: digestHash,
    }) !== undefined
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
