/**
 * JWS signature verification through jose's flattened verifier: jose checks the algorithm
 * against an allow-list, the key against the algorithm, the `crit` list (every critical
 * header present and integrity protected) and the signature. Two things stay ours, each a
 * concrete difference from notation written down in the README: golang-jwt accepts any
 * RSASSA-PSS salt length (jose only the hash length), and notation reports a bad `crit` in
 * its own words after the signature, so a `crit` jose refuses is judged again by the Notary
 * rules for the message.
 *
 * @module
 */
import { flattenedVerify } from "npm:jose@6.2.18/jws/flattened/verify";
import { JOSEError, JWSSignatureVerificationFailed } from "npm:jose@6.2.18/errors";
import { fromBase64Url, utf8 } from "../_internal/bytes.ts";
import { SignatureIntegrityError } from "../errors.ts";
import type { Certificate } from "../x509/certificate.ts";
import type { KeySpec } from "../x509/key_spec.ts";
import { HEADER } from "./_rules.ts";
import type { DecodedSignedHeaders } from "./_rules.ts";
import { verifyRawSignature } from "./_verify_signature.ts";

/** The JWS members jose verifies, as found in the envelope (already strictly parsed). */
export interface JwsParts {
  /** The base64url protected header. */
  protected: string;
  /** The base64url payload. */
  payload: string;
  /** The base64url signature. */
  signature: string;
}

/** Notary headers that may be critical; extended attributes present are added per envelope. */
const NOTARY_CRITICAL = [
  HEADER.signingScheme,
  HEADER.authenticSigningTime,
  HEADER.expiry,
  HEADER.verificationPlugin,
  HEADER.verificationPluginMinVersion,
];

/**
 * Verifies a flattened JWS with the leaf's key.
 *
 * @param parts The envelope's protected header, payload and signature as written.
 * @param spec The key spec (already matched against the leaf).
 * @param leaf The signing certificate.
 * @param headers The decoded protected header (for jose's `crit` option).
 * @param checkCrit Throws the Notary rule's error when the `crit` list is wrong.
 * @returns Whether the signature verifies.
 * @throws {SignatureIntegrityError} ERR_SIGNATURE_INTEGRITY when jose refuses the envelope.
 */
export async function verifyJwsSignature(
  parts: JwsParts,
  spec: KeySpec,
  leaf: Certificate,
  headers: DecodedSignedHeaders,
  checkCrit: (headers: DecodedSignedHeaders) => unknown,
): Promise<boolean> {
  const crit: Record<string, boolean> = {};
  for (const name of NOTARY_CRITICAL) crit[name] = true;
  for (const key of headers.extended.keys()) if (typeof key === "string") crit[key] = true;
  try {
    await flattenedVerify(parts, await leaf.publicKey(), { algorithms: [spec.jwsAlgorithm], crit });
    return true;
  } catch (cause) {
    if (cause instanceof JWSSignatureVerificationFailed) {
      // golang-jwt verifies RSASSA-PSS with PSSSaltLengthAuto; jose only with salt = hash length.
      if (spec.keyType !== "RSA") return false;
      return await verifyRawSignature(
        spec,
        leaf,
        fromBase64Url(parts.signature),
        utf8(`${parts.protected}.${parts.payload}`),
        { anySaltLength: true },
      );
    }
    if (!(cause instanceof JOSEError)) return false;
    checkCrit(headers);
    throw new SignatureIntegrityError(`the JWS is not acceptable: ${cause.message}`, { cause });
  }
}
