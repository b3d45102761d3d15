/**
 * Reading what an RFC 3161 TimeStampToken claims (time, accuracy, imprint, certificates) without
 * verifying it, for `inspect` and for checking a fresh token against its request.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { OcisignError } from "../errors.ts";
import type { Certificate } from "../x509/certificate.ts";
import { fail, parseToken } from "./_timestamp_der.ts";

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
 * import { readTimestampToken } from "./timestamp_token_info.ts";
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
