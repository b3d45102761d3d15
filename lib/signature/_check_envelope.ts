/**
 * The checks every envelope passes before its format's parser sees it: its size and its media
 * type. Shared by the eager {@linkcode parseEnvelope} and the lazy `loadEnvelope`.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { EnvelopeInvalidError, UnsupportedError } from "../errors.ts";
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from "../oci/media_types.ts";
import { MAX_ENVELOPE_BYTES } from "./envelope.ts";

/** The envelope media types ocisign reads and writes. */
export const ENVELOPE_MEDIA_TYPES: readonly string[] = [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE];

/**
 * Throws unless `bytes` is within the envelope size limit and `mediaType` is JWS or COSE.
 *
 * @throws {EnvelopeInvalidError} ERR_ENVELOPE_INVALID when the bytes are too large.
 * @throws {UnsupportedError} ERR_UNSUPPORTED for another media type.
 */
export function checkEnvelope(bytes: Bytes, mediaType: string): void {
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    throw new EnvelopeInvalidError(
      `The signature envelope is ${bytes.length} bytes, over the limit of ${MAX_ENVELOPE_BYTES}`,
    );
  }
  if (!ENVELOPE_MEDIA_TYPES.includes(mediaType)) {
    throw new UnsupportedError(
      `Signature envelope media type "${mediaType}" is not supported; expected ${
        ENVELOPE_MEDIA_TYPES.join(" or ")
      }`,
    );
  }
}
