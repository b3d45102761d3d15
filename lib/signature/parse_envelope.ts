/**
 * Parsing an envelope by its media type.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MEDIA_TYPE_COSE } from "../oci/media_types.ts";
import { checkEnvelope } from "./_check_envelope.ts";
import { parseCose } from "./cose.ts";
import type { ParsedEnvelope } from "./envelope.ts";
import { parseJws } from "./jws.ts";

export { ENVELOPE_MEDIA_TYPES } from "./_check_envelope.ts";

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
  checkEnvelope(bytes, mediaType);
  return mediaType === MEDIA_TYPE_COSE ? parseCose(bytes) : parseJws(bytes);
}
