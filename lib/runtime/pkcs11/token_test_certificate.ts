/**
 * A test certificate for a key generated inside a token, as `notation cert generate-test` makes
 * one for a file key: self-signed, valid 24 hours, digitalSignature and codeSigning, but signed
 * by the token (the private key is never seen).
 *
 * @module
 */
import { concat, fromHex } from "../../_internal/bytes.ts";
import type { Bytes } from "../../_internal/bytes.ts";
import { KeyInvalidError } from "../../errors.ts";
import { encodeDer, readChildren, readSingle, TAG } from "../../x509/asn1.ts";
import { Certificate } from "../../x509/certificate.ts";
import { generateKeyPair } from "../../x509/create_certificate.ts";
import { createTestCertificate } from "../../x509/_test_certificate.ts";
import { keySpecFor } from "../../x509/key_spec.ts";
import type { KeySpec } from "../../x509/key_spec.ts";
import { CKM } from "./_ck.ts";
import type { TokenKey } from "./pkcs11_key.ts";

/** DigestInfo prefix of SHA-256 (RFC 8017 §9.2 note 1), for PKCS#1 v1.5 certificate signatures. */
const SHA256_DIGEST_INFO = fromHex("3031300d060960864801650304020105000420");

/** An unsigned big-endian integer as DER INTEGER content. */
function derInteger(bytes: Uint8Array): Bytes {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  return encodeDer(
    TAG.INTEGER,
    trimmed[0]! & 0x80 ? concat([new Uint8Array([0]), trimmed]) : trimmed,
  );
}

/** Reads the key spec and WebCrypto public key of a token key. */
async function tokenPublicKey(key: TokenKey): Promise<{ spec: KeySpec; publicKey: CryptoKey }> {
  const jwk = key.publicJwk();
  if (jwk === undefined) {
    throw new KeyInvalidError(
      `the token does not show the public key of ${
        JSON.stringify(key.label)
      }; generate the key pair in the token (pkcs11-tool --keypairgen) so that both halves are stored`,
    );
  }
  const params = jwk.kty === "EC"
    ? { name: "ECDSA", namedCurve: jwk.crv! }
    : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  const publicKey = await crypto.subtle.importKey("jwk", jwk, params, true, ["verify"]);
  const size = jwk.kty === "EC"
    ? Number(jwk.crv!.slice(2))
    : (publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength;
  const spec = keySpecFor(jwk.kty as "RSA" | "EC", size);
  if (spec === undefined) {
    throw new KeyInvalidError(
      `the token's key ${
        JSON.stringify(key.label)
      } (${jwk.kty} ${size}) is not a Notary Project key; use RSA 2048/3072/4096 or EC P-256/384/521`,
    );
  }
  return { spec, publicKey };
}

/**
 * Makes a self-signed test certificate for a token key, signed by the token: ECDSA with the
 * curve's hash, or RSA PKCS#1 v1.5 with SHA-256 (as notation's test certificates).
 *
 * @example
 * ```ts ignore
 * import { generateTokenTestCertificate } from "./token_test_certificate.ts";
 * const cert = await withPkcs11Key(options, (key) =>
 *   generateTokenTestCertificate(key, "station.example", new Date()));
 * ```
 * @param key The open token key.
 * @param name The CN.
 * @param now The issuance time.
 * @returns The certificate and its key spec.
 * @throws {KeyInvalidError} ERR_KEY_INVALID when the public key cannot be read or is not allowed.
 */
export async function generateTokenTestCertificate(
  key: TokenKey,
  name: string,
  now: Date,
): Promise<{ certificate: Certificate; keySpec: KeySpec }> {
  const { spec, publicKey } = await tokenPublicKey(key);
  // A throwaway key of the same kind sets the signature algorithm; the token then re-signs the
  // TBS, so the certificate carries only the token key. Its RSA size does not show: RSA-1024 is
  // made in a tenth of the time of RSA-2048.
  const stand = await generateKeyPair(spec.keyType === "EC" ? spec.name : { rsaBits: 1024 });
  const draft = await createTestCertificate(name, publicKey, stand.privateKey, now);
  const [tbs, algorithm] = readChildren(readSingle(draft.raw, TAG.SEQUENCE));
  let signature: Uint8Array;
  if (spec.keyType === "EC") {
    const digest = new Uint8Array(await crypto.subtle.digest(spec.hash, tbs!.raw));
    const rs = key.sign({ type: CKM.ECDSA }, digest);
    const half = rs.length / 2;
    signature = encodeDer(
      TAG.SEQUENCE,
      concat([derInteger(rs.subarray(0, half)), derInteger(rs.subarray(half))]),
    );
  } else {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", tbs!.raw));
    signature = key.sign({ type: CKM.RSA_PKCS }, concat([SHA256_DIGEST_INFO, digest]));
  }
  const der = encodeDer(
    TAG.SEQUENCE,
    concat([
      tbs!.raw,
      algorithm!.raw,
      encodeDer(TAG.BIT_STRING, concat([new Uint8Array([0]), signature])),
    ]),
  );
  const certificate = new Certificate(der);
  const problem = await certificate.checkSignature(certificate);
  if (problem !== undefined) {
    throw new KeyInvalidError(`the token's certificate signature does not verify: ${problem}`);
  }
  return { certificate, keySpec: spec };
}
