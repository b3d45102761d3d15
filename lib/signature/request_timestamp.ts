/**
 * Timestamping a signature at signing, as notation-core-go does for `notary.x509`: request an
 * RFC 3161 token over the raw signature bytes, then accept it only when the response echoes the
 * request (message imprint, nonce, a TSA certificate), the token verifies and its TSA chain
 * leads, valid now and under the timestamping profile, to the root the signer trusts, no
 * certificate of that chain is revoked (checked with OCSP, falling back to CRLs, when a
 * revocation client is given; a revoked or unknown status fails, as notation's
 * `TSARevocationValidator`), and the timestamp lies inside the signing chain's validity (so that
 * verification can use it).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { timingSafeEqual, toHex } from "../_internal/bytes.ts";
import type { Op } from "../content/storage.ts";
import { OcisignError, RevocationError, TimestampError } from "../errors.ts";
import type { Certificate } from "../x509/certificate.ts";
import { assertNotRevoked } from "../x509/revocation/assert_not_revoked.ts";
import type { RevocationClient } from "../x509/revocation/revocation_client.ts";
import { createTimestampRequest } from "./timestamp_request.ts";
import type { TimestampHash } from "./timestamp_request.ts";
import { parseTimestampResponse } from "./timestamp_response.ts";
import { verifyTimestampToken } from "./timestamp_token.ts";
import { readTimestampToken } from "./timestamp_token_info.ts";
import type { TimestampTokenInfo } from "./timestamp_token_info.ts";
import type { Timestamper } from "./timestamper.ts";

/** Where to get a timestamp and which root its TSA chain must reach. */
export interface TimestampingOptions {
  /** The TSA client (e.g. an `HttpTimestamper`). */
  timestamper: Timestamper;
  /** The TSA root certificate (notation's `--timestamp-root-cert`). */
  rootCertificate: Certificate;
  /**
   * Network access for checking the revocation status of the TSA chain (OCSP, falling back to
   * CRLs). Without it the TSA chain's revocation status is not checked.
   */
  revocationClient?: RevocationClient;
}

/** Options of {@linkcode requestTimestamp}. */
export interface RequestTimestampOptions extends TimestampingOptions, Op {
  /** The message imprint's hash: the hash of the signing key's spec. */
  hash: TimestampHash;
  /** The signing chain; the timestamp (± accuracy) must lie inside its validity. */
  signingChain?: readonly Certificate[];
  /** The time the TSA chain must be valid at (default now). */
  now?: Date;
}

function refuse(message: string, cause?: unknown, details?: Record<string, unknown>): never {
  throw new TimestampError(`timestamp: ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    ...(details === undefined ? {} : { details }),
  });
}

function integer(content: Uint8Array | undefined): string {
  return content === undefined || content.length === 0
    ? "<nil>"
    : BigInt(`0x${toHex(content)}`).toString();
}

function formatTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Gets an RFC 3161 TimeStampToken over `signature` and checks it before returning it.
 *
 * @example
 * ```ts ignore
 * import { HttpTimestamper, requestTimestamp } from "./mod.ts";
 * const token = await requestTimestamp(signatureBytes, {
 *   hash: "SHA-256",
 *   timestamper: new HttpTimestamper("http://timestamp.example/", { fetch }),
 *   rootCertificate: tsaRoot,
 *   revocationClient: { fetch },
 * });
 * ```
 * @param signature The raw signature bytes of the envelope.
 * @param options TSA client, trusted root, hash and signing chain.
 * @returns The DER TimeStampToken, as the TSA sent it.
 * @throws {TimestampError} ERR_TIMESTAMP when the TSA fails or its token is refused, or (with
 * `revocationClient`) a TSA chain certificate is revoked or its revocation status is unknown:
 * `timestamp: timestamping certificate with subject "…" is revoked`.
 * @throws {AbortedError} ERR_ABORTED when `options.signal` fires.
 */
export async function requestTimestamp(
  signature: Bytes,
  options: RequestTimestampOptions,
): Promise<Bytes> {
  const request = await createTimestampRequest(signature, options.hash);
  const response = await options.timestamper.timestamp(
    request.der,
    options.signal ? { signal: options.signal } : {},
  );
  const token = parseTimestampResponse(response);
  let info: TimestampTokenInfo;
  try {
    info = readTimestampToken(token);
  } catch (cause) {
    refuse(`invalid timestamping response: ${(cause as Error).message}`, cause);
  }
  if (
    !timingSafeEqual(info.imprintAlgorithm, request.imprintAlgorithm) ||
    !timingSafeEqual(info.hashedMessage, request.hashedMessage)
  ) {
    refuse(
      "invalid timestamping response: message imprint in response does not match with request",
    );
  }
  if (info.nonce === undefined || !timingSafeEqual(info.nonce, request.nonce)) {
    refuse(
      `invalid timestamping response: nonce in response ${
        integer(info.nonce)
      } does not match nonce in request ${integer(request.nonce)}`,
    );
  }
  const now = options.now ?? new Date();
  let genTime: Date;
  let accuracyMs: number;
  let tsaChain: Certificate[];
  try {
    ({ genTime, accuracyMs, tsaChain } = await verifyTimestampToken(token, {
      signature,
      trustedRoots: [options.rootCertificate],
      validAt: now,
      trustedRootsName: `the timestamp root certificate ${
        JSON.stringify(options.rootCertificate.subject)
      }`,
    }));
  } catch (cause) {
    if (!(cause instanceof OcisignError)) throw cause;
    refuse(`failed to verify signed token: ${cause.message}`, cause);
  }
  if (options.revocationClient) {
    try {
      await assertNotRevoked(tsaChain, "timestamping", {
        client: options.revocationClient,
        now,
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (cause) {
      if (!(cause instanceof RevocationError)) throw cause;
      refuse(cause.message, cause, cause.details);
    }
  }
  const earliest = genTime.getTime() - accuracyMs;
  const latest = genTime.getTime() + accuracyMs;
  for (const cert of options.signingChain ?? []) {
    if (earliest < cert.notBefore.getTime() || latest > cert.notAfter.getTime()) {
      refuse(
        `the timestamp [${formatTime(earliest)}, ${formatTime(latest)}] is outside the validity [${
          formatTime(cert.notBefore.getTime())
        }, ${formatTime(cert.notAfter.getTime())}] of certificate ${
          JSON.stringify(cert.subject)
        }; verification would reject it: check the TSA's clock or renew the certificate`,
      );
    }
  }
  return token;
}
