/**
 * RFC 3161 TimeStampReq, built as notation's tspclient does: version 1, a message imprint
 * (hash of the content, AlgorithmIdentifier with NULL parameters), a random 159-bit nonce and
 * `certReq` true, so the TSA includes its certificate.
 *
 * @see https://www.rfc-editor.org/rfc/rfc3161#section-2.4.1
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { concat } from "../_internal/bytes.ts";
import { encodeDer, encodeOid, TAG } from "../x509/asn1.ts";

/** Hash algorithms of a message imprint. */
export type TimestampHash = "SHA-256" | "SHA-384" | "SHA-512";

const HASH_OIDS: Readonly<Record<TimestampHash, string>> = {
  "SHA-256": "2.16.840.1.101.3.4.2.1",
  "SHA-384": "2.16.840.1.101.3.4.2.2",
  "SHA-512": "2.16.840.1.101.3.4.2.3",
};

/** A serialized TimeStampReq and what its answer must echo. */
export interface TimestampRequest {
  /** The DER TimeStampReq, sent as `application/timestamp-query`. */
  readonly der: Bytes;
  /** The message imprint's hash. */
  readonly hash: TimestampHash;
  /** DER of the message imprint's AlgorithmIdentifier (OID and NULL parameters). */
  readonly imprintAlgorithm: Bytes;
  /** The hash of the content. */
  readonly hashedMessage: Bytes;
  /** The nonce as minimal DER INTEGER content bytes. */
  readonly nonce: Bytes;
}

/** Minimal two's-complement content of a non-negative integer given big-endian. */
function integerContent(unsigned: Uint8Array): Bytes {
  let i = 0;
  while (i < unsigned.length - 1 && unsigned[i] === 0) i++;
  const v = unsigned.slice(i);
  return (v[0]! & 0x80) !== 0 ? concat([new Uint8Array([0]), v]) : v;
}

/**
 * Builds a TimeStampReq over `content` (for a Notary Project signature: the raw signature
 * bytes, hashed with the hash of the signing key's spec).
 *
 * @example
 * ```ts
 * import { createTimestampRequest } from "./timestamp_request.ts";
 * const req = await createTimestampRequest(new Uint8Array([1, 2, 3]), "SHA-256");
 * console.log(req.hashedMessage.length); // 32
 * ```
 * @param content The bytes to timestamp.
 * @param hash The message imprint's hash.
 * @returns The DER request with its imprint and nonce.
 */
export async function createTimestampRequest(
  content: Uint8Array,
  hash: TimestampHash,
): Promise<TimestampRequest> {
  const hashedMessage = new Uint8Array(
    await crypto.subtle.digest(hash, content as Uint8Array<ArrayBuffer>),
  );
  const imprintAlgorithm = encodeDer(
    TAG.SEQUENCE,
    concat([encodeOid(HASH_OIDS[hash]), encodeDer(TAG.NULL, new Uint8Array(0))]),
  );
  // tspclient: a random nonce in [0, 2^159)
  const random = crypto.getRandomValues(new Uint8Array(20));
  random[0]! &= 0x7f;
  const nonce = integerContent(random);
  const der = encodeDer(
    TAG.SEQUENCE,
    concat([
      encodeDer(TAG.INTEGER, new Uint8Array([1])),
      encodeDer(
        TAG.SEQUENCE,
        concat([imprintAlgorithm, encodeDer(TAG.OCTET_STRING, hashedMessage)]),
      ),
      encodeDer(TAG.INTEGER, nonce),
      encodeDer(TAG.BOOLEAN, new Uint8Array([0xff])),
    ]),
  );
  return { der, hash, imprintAlgorithm, hashedMessage, nonce };
}
