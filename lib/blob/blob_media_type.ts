/**
 * The media type a blob is signed with: `application/octet-stream` unless given, and it must
 * parse as a MIME type (`type/subtype`, optional parameters), as notation requires.
 *
 * @module
 */
import { InvalidInputError } from "../errors.ts";

/** notation's default media type of a signed blob. */
export const DEFAULT_BLOB_MEDIA_TYPE = "application/octet-stream";

// RFC 2045 token characters (what Go's mime.ParseMediaType accepts), then optional parameters
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const MEDIA_TYPE_REGEXP = new RegExp(`^${TOKEN}/${TOKEN}\\s*(?:;.*)?$`);

/**
 * Checks a blob media type given by the user.
 *
 * @example
 * ```ts
 * import { checkBlobMediaType } from "./blob_media_type.ts";
 * console.log(checkBlobMediaType("application/vnd.example+tar")); // application/vnd.example+tar
 * ```
 * @param mediaType The media type.
 * @returns It, unchanged.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when empty or not `type/subtype` (notation's messages).
 */
export function checkBlobMediaType(mediaType: string): string {
  if (mediaType === "") throw new InvalidInputError("content media-type cannot be empty");
  if (!MEDIA_TYPE_REGEXP.test(mediaType)) {
    throw new InvalidInputError(
      `invalid content media-type ${JSON.stringify(mediaType)}: expected type/subtype`,
    );
  }
  return mediaType;
}
