/**
 * Certificate signatures by RSA keys larger than WebCrypto imports (Deno and Bun stop at 4096
 * bits; Go's `crypto/rsa`, and so notation, verifies up to 16384): RSASSA-PKCS1-v1_5 with SHA-256,
 * SHA-384 or SHA-512 (RFC 8017 §8.2.2), checked by computing the expected encoding and comparing
 * it byte for byte, never by parsing the decrypted block. Only public values are involved.
 *
 * @module
 */
import { toHex } from "../_internal/bytes.ts";
import type { Bytes } from "../_internal/bytes.ts";
import { readChildren, readSingle, TAG } from "./asn1.ts";

/** The largest RSA modulus accepted at all (Go's `crypto/rsa` limit). */
export const MAX_RSA_BITS = 16384;

/** DigestInfo DER prefixes (RFC 8017 §9.2, note 1), by signature algorithm OID. */
const PKCS1_SHA2: Readonly<Record<string, { hash: string; prefix: string }>> = {
  "1.2.840.113549.1.1.11": { hash: "SHA-256", prefix: "3031300d060960864801650304020105000420" },
  "1.2.840.113549.1.1.12": { hash: "SHA-384", prefix: "3041300d060960864801650304020205000430" },
  "1.2.840.113549.1.1.13": { hash: "SHA-512", prefix: "3051300d060960864801650304020305000440" },
};

/** An unsigned big-endian integer as a bigint. */
export function toBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : BigInt(`0x${toHex(bytes)}`);
}

/** `base^exponent mod modulus` (square and multiply; public values only). */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/**
 * Verifies an RSASSA-PKCS1-v1_5 signature with a large RSA public key.
 *
 * @example
 * ```ts ignore
 * const ok = await verifyLargeRsa(issuer.spki, "1.2.840.113549.1.1.11", tbs, signature);
 * ```
 * @param spki The signer's DER SubjectPublicKeyInfo (an RSA key).
 * @param algorithm The signature algorithm OID.
 * @param data The signed bytes.
 * @param signature The signature.
 * @returns Whether it verifies, or a reason it cannot be checked.
 */
export async function verifyLargeRsa(
  spki: Bytes,
  algorithm: string,
  data: Bytes,
  signature: Bytes,
): Promise<boolean | { unsupported: string }> {
  const scheme = PKCS1_SHA2[algorithm];
  if (scheme === undefined) {
    return { unsupported: `only PKCS#1 v1.5 SHA-2 signatures are checked with such keys` };
  }
  const [, bits] = readChildren(readSingle(spki, TAG.SEQUENCE));
  const [nNode, eNode] = readChildren(readSingle(bits!.content.subarray(1), TAG.SEQUENCE));
  const n = toBigInt(nNode!.content);
  const e = toBigInt(eNode!.content);
  const k = Math.ceil(n.toString(2).length / 8);
  if (k * 8 > MAX_RSA_BITS) return { unsupported: `RSA keys over ${MAX_RSA_BITS} bits are not` };
  // Go's crypto/rsa: 2 <= e < 2^31
  if (e < 2n || e >= 2n ** 31n) return false;
  if (signature.length !== k) return false;
  const s = toBigInt(signature);
  if (s >= n) return false;
  const em = modPow(s, e, n).toString(16).padStart(k * 2, "0");
  const hash = toHex(new Uint8Array(await crypto.subtle.digest(scheme.hash, data)));
  const t = `${scheme.prefix}${hash}`;
  const padding = k * 2 - t.length - 6;
  if (padding < 16) return false;
  return em === `0001${"f".repeat(padding)}00${t}`;
}
