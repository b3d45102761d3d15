/**
 * Verifies a structure signed by a certificate's key (a CRL, an OCSP basic response, a CMS
 * SignerInfo) under Go's `CheckSignature` rules: RSA PKCS#1 v1.5 and RSASSA-PSS with
 * SHA-256/384/512, ECDSA P-256/384/521 with SHA-256/384/512, Ed25519. SHA-1 and MD5 are refused
 * as insecure. RSA keys over 4096 bits are checked as certificates are (PKCS#1 v1.5 only).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { children, ecdsaDerToRaw, oidOf, readSingle, smallInt, TAG } from "./asn1.ts";
import type { DerElement } from "./asn1.ts";
import type { Certificate } from "./certificate.ts";

/** The largest RSA modulus WebCrypto imports here (larger ones go to ./_rsa_large.ts). */
const MAX_WEBCRYPTO_RSA_BITS = 4096;

/** The SHA-2 hashes signatures may use. */
export type Sha2 = "SHA-256" | "SHA-384" | "SHA-512";

/** SHA-2 AlgorithmIdentifier OIDs (RFC 5754). */
export const SHA2_BY_OID: Readonly<Record<string, Sha2>> = {
  "2.16.840.1.101.3.4.2.1": "SHA-256",
  "2.16.840.1.101.3.4.2.2": "SHA-384",
  "2.16.840.1.101.3.4.2.3": "SHA-512",
};

const SIMPLE: Readonly<Record<string, { kind: "RSA" | "EC"; hash: Sha2 }>> = {
  "1.2.840.113549.1.1.11": { kind: "RSA", hash: "SHA-256" },
  "1.2.840.113549.1.1.12": { kind: "RSA", hash: "SHA-384" },
  "1.2.840.113549.1.1.13": { kind: "RSA", hash: "SHA-512" },
  "1.2.840.10045.4.3.2": { kind: "EC", hash: "SHA-256" },
  "1.2.840.10045.4.3.3": { kind: "EC", hash: "SHA-384" },
  "1.2.840.10045.4.3.4": { kind: "EC", hash: "SHA-512" },
};

/** CMS names the key algorithm alone; the hash is then the SignerInfo's digest algorithm. */
const KEY_ONLY: Readonly<Record<string, "RSA" | "EC">> = {
  "1.2.840.113549.1.1.1": "RSA",
  "1.2.840.10045.2.1": "EC",
};

/** PKCS#1 v1.5 signature OIDs by hash, for RSA keys WebCrypto cannot import. */
const PKCS1_OID: Readonly<Record<Sha2, string>> = {
  "SHA-256": "1.2.840.113549.1.1.11",
  "SHA-384": "1.2.840.113549.1.1.12",
  "SHA-512": "1.2.840.113549.1.1.13",
};

const OID_RSA_PSS = "1.2.840.113549.1.1.10";
const OID_ED25519 = "1.3.101.112";
const HASH_BYTES: Readonly<Record<Sha2, number>> = { "SHA-256": 32, "SHA-384": 48, "SHA-512": 64 };
const CURVES: Readonly<Record<number, string>> = { 256: "P-256", 384: "P-384", 521: "P-521" };

function pssParams(params: DerElement | undefined): { hash: Sha2; saltLength: number } {
  // RFC 4055: the defaults (SHA-1) are insecure, so the hash must be given
  let hash: Sha2 | undefined;
  let saltLength: number | undefined;
  for (const p of children(params, "RSASSA-PSS parameters")) {
    if (p.tag === 0xa0) {
      hash = SHA2_BY_OID[oidOf(children(readSingle(p.content), "PSS hash")[0], "PSS hash")];
    } else if (p.tag === 0xa2) {
      saltLength = smallInt(readSingle(p.content), "PSS salt", TAG.INTEGER);
    }
  }
  if (hash === undefined) throw new SyntaxError("unsupported RSASSA-PSS hash algorithm");
  return { hash, saltLength: saltLength ?? HASH_BYTES[hash] };
}

/** Why a signature was not accepted. */
export interface SignatureProblem {
  /** What went wrong, for messages. */
  reason: string;
  /**
   * Set when the signer's RSA key is larger than WebCrypto imports and the algorithm is one
   * ocisign cannot check with such keys: what is checked with them.
   */
  unsupportedKeySize?: string;
}

/** The reason given when the signature is well formed but does not verify. */
export const SIGNATURE_DOES_NOT_VERIFY = "the signature does not verify";

async function verifyWith(
  signer: Certificate,
  params: RsaHashedImportParams | EcKeyImportParams | "Ed25519",
  verify: AlgorithmIdentifier | RsaPssParams | EcdsaParams,
  signature: Bytes,
  data: Bytes,
): Promise<SignatureProblem | undefined> {
  const key = await crypto.subtle.importKey("spki", signer.spki, params, false, ["verify"]);
  return await crypto.subtle.verify(verify, key, signature, data)
    ? undefined
    : { reason: SIGNATURE_DOES_NOT_VERIFY };
}

async function verifyLarge(
  signer: Certificate,
  oid: string,
  signature: Bytes,
  data: Bytes,
): Promise<SignatureProblem | undefined> {
  // Loaded only for such a key (`+ ""`: see ../cli/commands/registry.ts).
  const { verifyLargeRsa } = await import(
    "./_rsa_large.ts" + ""
  ) as typeof import("./_rsa_large.ts");
  const result = await verifyLargeRsa(signer.spki, oid, data, signature);
  if (result === true) return undefined;
  if (result === false) return { reason: SIGNATURE_DOES_NOT_VERIFY };
  return {
    reason:
      `the RSA key of ${signer.publicKeyInfo.size} bits is unsupported (${result.unsupported})`,
    unsupportedKeySize: result.unsupported,
  };
}

/** Options of {@linkcode verifySignedBy}. */
export interface VerifySignedByOptions {
  /**
   * The hash to use when the algorithm names only the key (`rsaEncryption`, `ecPublicKey`), as
   * CMS allows; such algorithms are refused when not given.
   */
  keyOnlyHash?: Sha2;
}

/**
 * Whether `signer`'s key verifies `signature` over `data` with `algorithm`.
 *
 * @example
 * ```ts ignore
 * import { verifySignedBy } from "./verify_signed_by.ts";
 * const problem = await verifySignedBy(issuer, crl.signatureAlgorithm, crl.tbs, crl.signature);
 * if (problem) throw new Error(`the CRL signature is invalid: ${problem.reason}`);
 * ```
 * @param signer The certificate whose key signed.
 * @param algorithm The DER AlgorithmIdentifier of the signature.
 * @param data The signed bytes.
 * @param signature The signature (ECDSA in DER, as X.509 and CMS carry it).
 * @param options How to read a key-only algorithm.
 * @returns undefined when it verifies, else why not.
 */
export async function verifySignedBy(
  signer: Certificate,
  algorithm: DerElement | undefined,
  data: Bytes,
  signature: Bytes,
  options: VerifySignedByOptions = {},
): Promise<SignatureProblem | undefined> {
  let oid: string;
  let params: DerElement | undefined;
  try {
    const parts = children(algorithm, "signature algorithm");
    oid = oidOf(parts[0], "signature algorithm");
    params = parts[1];
  } catch {
    return { reason: "the signature algorithm is malformed" };
  }
  const { keyType, size } = signer.publicKeyInfo;
  const large = keyType === "RSA" && size > MAX_WEBCRYPTO_RSA_BITS;
  try {
    if (oid === OID_ED25519) {
      return await verifyWith(signer, "Ed25519", "Ed25519", signature, data);
    }
    if (oid === OID_RSA_PSS) {
      if (keyType !== "RSA") {
        return { reason: `a ${keyType} key cannot verify an RSASSA-PSS signature` };
      }
      if (large) return await verifyLarge(signer, oid, signature, data);
      const { hash, saltLength } = pssParams(params);
      const verify = { name: "RSA-PSS", saltLength };
      return await verifyWith(signer, { name: "RSA-PSS", hash }, verify, signature, data);
    }
    const keyOnly = KEY_ONLY[oid];
    const alg = SIMPLE[oid] ??
      (keyOnly && options.keyOnlyHash ? { kind: keyOnly, hash: options.keyOnlyHash } : undefined);
    if (alg === undefined) {
      return { reason: `the signature algorithm ${oid} is insecure or unsupported` };
    }
    if (alg.kind !== keyType) {
      return { reason: `a ${keyType} key cannot verify a ${alg.kind} signature` };
    }
    if (alg.kind === "RSA") {
      if (large) return await verifyLarge(signer, PKCS1_OID[alg.hash], signature, data);
      const params = { name: "RSASSA-PKCS1-v1_5", hash: alg.hash };
      return await verifyWith(signer, params, "RSASSA-PKCS1-v1_5", signature, data);
    }
    const namedCurve = CURVES[size];
    if (namedCurve === undefined) {
      return { reason: `the EC curve of the key (${size} bits) is unsupported` };
    }
    const raw = ecdsaDerToRaw(signature, size);
    const verify = { name: "ECDSA", hash: alg.hash };
    return await verifyWith(signer, { name: "ECDSA", namedCurve }, verify, raw, data);
  } catch (err) {
    return { reason: `the signature cannot be verified: ${(err as Error).message}` };
  }
}
