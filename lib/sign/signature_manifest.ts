/**
 * Builds the signature manifest that carries a Notary Project envelope as a referrer of the
 * signed artifact, in notation's 1.x shape (default) or the 2.x `artifactType` shape.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#storage
 * @module
 */
import { utf8 } from "../_internal/bytes.ts";
import type { Bytes } from "../_internal/bytes.ts";
import { digestBytes } from "../digest/digest_bytes.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { EMPTY_JSON_DESCRIPTOR } from "../oci/descriptor.ts";
import {
  ANNOTATION_CREATED,
  ANNOTATION_NOTARY_THUMBPRINTS,
  MEDIA_TYPE_NOTARY_SIGNATURE,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../oci/media_types.ts";

/** `v1`: `config.mediaType` = notary signature (notation 1.x, read by all); `v2`: `artifactType`. */
export type SignatureManifestShape = "v1" | "v2";

/** What goes into a signature manifest. */
export interface SignatureManifestInput {
  /** The signed artifact (only mediaType, digest and size are kept). */
  subject: Descriptor;
  /** The envelope blob's descriptor. */
  envelope: Descriptor;
  /** Lower-case hex SHA-256 fingerprints of the chain, in envelope order. */
  thumbprints: string[];
  /** Signing time, written as `org.opencontainers.image.created` (UTC, whole seconds). */
  signingTime: Date;
  /** Manifest shape; `v1` by default. */
  shape?: SignatureManifestShape;
  /**
   * Annotations an envelope-generating plugin asked for; the thumbprints and creation time win
   * over keys of the same name, as in notation-go.
   */
  annotations?: Record<string, string>;
}

/** A serialized manifest with its descriptor. */
export interface EncodedManifest {
  /** The manifest descriptor (with the annotations, as oras records it in `index.json`). */
  descriptor: Descriptor;
  /** The exact bytes (digests are over these). */
  bytes: Bytes;
  /** The config descriptor to push alongside (the 2-byte `{}`). */
  config: Descriptor;
}

/** Formats a time as RFC 3339 UTC with whole seconds, as Go's `time.RFC3339` does. */
export function formatRfc3339(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Serializes a signature manifest exactly as notation does (compact JSON, Go struct key order).
 *
 * @example
 * ```ts
 * import { encodeSignatureManifest } from "./signature_manifest.ts";
 * const m = await encodeSignatureManifest({
 *   subject: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: "sha256:" + "a".repeat(64), size: 10 },
 *   envelope: { mediaType: "application/jose+json", digest: "sha256:" + "b".repeat(64), size: 100 },
 *   thumbprints: ["c".repeat(64)],
 *   signingTime: new Date("2025-05-01T02:00:00Z"),
 * });
 * console.log(m.descriptor.mediaType); // application/vnd.oci.image.manifest.v1+json
 * ```
 * @param input Subject, envelope, thumbprints, time and shape.
 * @returns The bytes, their descriptor and the config descriptor.
 */
export async function encodeSignatureManifest(
  input: SignatureManifestInput,
): Promise<EncodedManifest> {
  const shape = input.shape ?? "v1";
  const config: Descriptor = shape === "v1"
    ? {
      mediaType: MEDIA_TYPE_NOTARY_SIGNATURE,
      digest: EMPTY_JSON_DESCRIPTOR.digest,
      size: EMPTY_JSON_DESCRIPTOR.size,
    }
    : { ...EMPTY_JSON_DESCRIPTOR };
  // Go marshals the annotations map with sorted keys.
  const annotations = Object.fromEntries(
    Object.entries({
      ...input.annotations,
      [ANNOTATION_NOTARY_THUMBPRINTS]: JSON.stringify(input.thumbprints),
      [ANNOTATION_CREATED]: formatRfc3339(input.signingTime),
    }).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    ...(shape === "v2" ? { artifactType: MEDIA_TYPE_NOTARY_SIGNATURE } : {}),
    config,
    layers: [plain(input.envelope)],
    subject: plain(input.subject),
    annotations,
  };
  const bytes = utf8(JSON.stringify(manifest));
  const descriptor: Descriptor = {
    mediaType: MEDIA_TYPE_OCI_MANIFEST,
    digest: await digestBytes(bytes),
    size: bytes.length,
    annotations,
    ...(shape === "v2" ? { artifactType: MEDIA_TYPE_NOTARY_SIGNATURE } : {}),
  };
  return { descriptor, bytes, config };
}

function plain(desc: Descriptor): Descriptor {
  return { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
}
