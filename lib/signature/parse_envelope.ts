/**
 * Parsing an envelope by its media type.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { EnvelopeInvalidError, UnsupportedError } from "../errors.ts";
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from "../oci/media_types.ts";
import { parseCose } from "./cose.ts";
import { MAX_ENVELOPE_BYTES } from "./envelope.ts";
import type { ParsedEnvelope } from "./envelope.ts";
import { parseJws } from "./jws.ts";

/** The envelope media types ocisign reads and writes. */
export const ENVELOPE_MEDIA_TYPES: readonly string[] = [MEDIA_TYPE_JWS, MEDIA_TYPE_COSE];

/**
 * Parses an envelope. Nothing in the result may be trusted until its `verify()` resolves;
 * `verify()` runs every integrity check of the envelope format and the Notary Project.
 *
 * @example
 * ```ts ignore
 * import { parseEnvelope } from "./parse_envelope.ts";
 * const content = await parseEnvelope(blob, layer.mediaType).verify();
 * ```
 * @param bytes The envelope blob.
 * @param mediaType `application/jose+json` or `application/cose` (the layer media type).
 * @returns The parsed envelope.
 * @throws {UnsupportedError} ERR_UNSUPPORTED for another media type.
 * @throws {EnvelopeInvalidError} ERR_ENVELOPE_INVALID when the bytes are malformed or too large.
 */
export function parseEnvelope(bytes: Bytes, mediaType: string): ParsedEnvelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) {
    throw new EnvelopeInvalidError(
      `The signature envelope is ${bytes.length} bytes, over the limit of ${MAX_ENVELOPE_BYTES}`,
    );
  }
  if (mediaType === MEDIA_TYPE_JWS) return parseJws(bytes);
  if (mediaType === MEDIA_TYPE_COSE) return parseCose(bytes);
  throw new UnsupportedError(
    `Signature envelope media type "${mediaType}" is not supported; expected ${
      ENVELOPE_MEDIA_TYPES.join(" or ")
    }`,
  );
}
