/**
 * Checks a pushed manifest or index before it is stored: JSON of the right shape, a media type
 * that agrees with `Content-Type`, and the content it needs present.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests
 * @module
 */
import { parseManifest, successors } from "../content/parse_manifest.ts";
import type { ParsedManifest } from "../content/parse_manifest.ts";
import { OcisignError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isManifestMediaType } from "../oci/media_types.ts";
import { apiError } from "./_api_error.ts";

/** Strips parameters and case from a `Content-Type` value. */
export function baseMediaType(contentType: string | null): string | undefined {
  if (contentType === null) return undefined;
  const base = contentType.split(";")[0]!.trim().toLowerCase();
  return base === "" ? undefined : base;
}

/**
 * Parses pushed manifest bytes; the `Content-Type` names the type when it is a manifest type.
 * @throws {RegistryError} 400 MANIFEST_INVALID when the bytes are not an acceptable manifest.
 */
export function parsePushedManifest(bytes: Uint8Array, contentType: string | null): ParsedManifest {
  const header = baseMediaType(contentType);
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(
      bytes,
      header !== undefined && isManifestMediaType(header) ? { mediaType: header } : {},
    );
  } catch (err) {
    if (err instanceof OcisignError) throw apiError(400, "MANIFEST_INVALID", err.message);
    throw err;
  }
  if (!isManifestMediaType(parsed.mediaType)) {
    throw apiError(
      400,
      "MANIFEST_INVALID",
      `Unsupported manifest media type ${
        JSON.stringify(parsed.mediaType)
      }; push an OCI or Docker schema 2 manifest or index`,
    );
  }
  return parsed;
}

/** Config and layers, or child manifests: what must already be in the repository. */
export function requiredContent(parsed: ParsedManifest): Descriptor[] {
  const subject = parsed.json.subject;
  return successors(parsed).filter((d) => d !== subject && !mayBeAbsent(d));
}

/** Whether a referenced descriptor may be absent from the registry (foreign or external layers). */
function mayBeAbsent(desc: Descriptor): boolean {
  return (desc.urls !== undefined && desc.urls.length > 0) ||
    desc.mediaType.includes(".nondistributable.") ||
    desc.mediaType.includes(".foreign.");
}
