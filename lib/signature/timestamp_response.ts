/**
 * RFC 3161 TimeStampResp: the PKI status (granted or granted with modifications, else refused
 * with the TSA's failure info, worded as notation's tspclient does) and the token it carries.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3161#section-2.4.2
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { TimestampError } from "../errors.ts";
import { readChildren, readSingle, TAG } from "../x509/asn1.ts";
import type { DerElement } from "../x509/asn1.ts";

const STATUS: readonly string[] = [
  "granted",
  "granted with modifications",
  "rejected",
  "the request body part has not yet been processed, expect to hear more later",
  "warning: a revocation is imminent",
  "a revocation has occurred",
];

const FAILURE_INFO: ReadonlyArray<[number, string]> = [
  [0, "unrecognized or unsupported Algorithm Identifier"],
  [2, "transaction not permitted or supported"],
  [5, "the data submitted has the wrong format"],
  [14, "the TSA's time source is not available"],
  [15, "the requested TSA policy is not supported by the TSA"],
  [16, "the requested extension is not supported by the TSA"],
  [17, "the additional information requested could not be understood or is not available"],
  [25, "the request cannot be handled due to system failure"],
];

function invalid(message: string, cause?: unknown): never {
  throw new TimestampError(
    `timestamp: invalid timestamping response: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function bitSet(bits: DerElement, index: number): boolean {
  const byte = bits.content[1 + Math.floor(index / 8)];
  return byte !== undefined && (byte & (0x80 >> (index % 8))) !== 0;
}

function statusError(status: DerElement, failInfo: DerElement | undefined): string | undefined {
  if (status.tag !== TAG.INTEGER || status.content.length !== 1) {
    invalid("the PKI status is not a small INTEGER");
  }
  const code = status.content[0]!;
  if (code === 0 || code === 1) return undefined;
  const text = STATUS[code] ?? `unknown PKIStatus ${code}`;
  const failures = failInfo?.tag === TAG.BIT_STRING
    ? FAILURE_INFO.filter(([bit]) => bitSet(failInfo, bit)).map(([, why]) => why)
    : [];
  return failures.length > 0
    ? `invalid response with status code ${code}: ${text}. Failure info: ${failures.join("; ")}`
    : `invalid response with status code ${code}: ${text}`;
}

/**
 * Reads a DER TimeStampResp and returns the DER TimeStampToken it carries, after checking that
 * the TSA granted the request.
 *
 * @example
 * ```ts ignore
 * import { parseTimestampResponse } from "./timestamp_response.ts";
 * const token = parseTimestampResponse(responseBytes);
 * ```
 * @param der The response body.
 * @returns The TimeStampToken (a CMS ContentInfo), byte for byte as the TSA sent it.
 * @throws {TimestampError} ERR_TIMESTAMP when the response is malformed, refused or has no token.
 */
export function parseTimestampResponse(der: Bytes): Bytes {
  let parts: DerElement[];
  let statusParts: DerElement[];
  try {
    parts = readChildren(readSingle(der, TAG.SEQUENCE));
    statusParts = readChildren(parts[0] ?? invalid("the PKI status is missing"));
  } catch (cause) {
    if (cause instanceof TimestampError) throw cause;
    invalid(`the response is not a DER TimeStampResp (${(cause as Error).message})`, cause);
  }
  if (parts[0]!.tag !== TAG.SEQUENCE || statusParts[0] === undefined) {
    invalid("the PKI status is malformed");
  }
  const failInfo = statusParts.find((el) => el.tag === TAG.BIT_STRING);
  const refused = statusError(statusParts[0], failInfo);
  if (refused) invalid(refused);
  const token = parts[1];
  if (token === undefined || token.tag !== TAG.SEQUENCE || parts.length > 2) {
    invalid("the TSA granted the request but sent no timestamp token");
  }
  return token.raw;
}
