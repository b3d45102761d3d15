/**
 * Parsing an envelope by its media type, loading the COSE (and CBOR) code only for a COSE
 * envelope: verifying a JWS signature then loads none of it (start-up time).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MEDIA_TYPE_COSE } from "../oci/media_types.ts";
import { checkEnvelope } from "./_check_envelope.ts";
import type { ParsedEnvelope } from "./envelope.ts";
import { parseJws } from "./jws.ts";

/**
 * Parses an envelope as {@linkcode parseEnvelope} does, with the same checks and errors, loading
 * the COSE parser on first use.
 *
 * @example
 * ```ts ignore
 * import { loadEnvelope } from "./load_envelope.ts";
 * const content = await (await loadEnvelope(blob, layer.mediaType)).verify();
 * ```
 * @param bytes The envelope blob.
 * @param mediaType `application/jose+json` or `application/cose` (the layer media type).
 * @returns The parsed envelope.
 * @throws {UnsupportedError} ERR_UNSUPPORTED for another media type.
 * @throws {EnvelopeInvalidError} ERR_ENVELOPE_INVALID when the bytes are malformed or too large.
 */
export async function loadEnvelope(bytes: Bytes, mediaType: string): Promise<ParsedEnvelope> {
  checkEnvelope(bytes, mediaType);
  if (mediaType !== MEDIA_TYPE_COSE) return parseJws(bytes);
  // `+ ""`: see ../cli/commands/registry.ts (Deno does not parse it up front; Bun bundles it).
  const { parseCose } = await import("./cose.ts" + "") as typeof import("./cose.ts");
  return parseCose(bytes);
}
