/**
 * The Notary Project payload: `{"targetArtifact": <descriptor>}` with only `mediaType`, `digest`,
 * `size` and `annotations`, as notation writes it.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#payload
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { parseDigest } from "../digest/digest.ts";
import { EnvelopeInvalidError, InvalidInputError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { compareUtf8, goJson } from "./_go_json.ts";
import { checkGoStruct, parseStrictJson } from "./_strict_json.ts";

/** The fields of notation's `envelope.Payload`. */
const PAYLOAD_FIELDS = ["targetArtifact"];
/** The fields of Go's `ocispec.Descriptor`, which notation decodes `targetArtifact` into. */
const DESCRIPTOR_FIELDS = [
  "mediaType",
  "digest",
  "size",
  "urls",
  "annotations",
  "data",
  "platform",
  "artifactType",
];
/** Go decodes `size` into an `int64`: `400.0` or `4e2` is an error there. */
const INTEGER_KEYS: ReadonlySet<string> = new Set(["size"]);

/** The target artifact descriptor carried in a payload. */
export interface TargetArtifact {
  /** Media type of the signed artifact. */
  mediaType: string;
  /** Its digest. */
  digest: string;
  /** Its size in bytes. */
  size: number;
  /** Signed user metadata (`-m k=v`). */
  annotations?: Record<string, string>;
}

/**
 * Builds the payload bytes for a descriptor, stripping `urls`, `platform`, `data` and
 * `artifactType` as notation does (Go field order; annotations sorted).
 *
 * @example
 * ```ts
 * import { createPayload } from "./payload.ts";
 * const bytes = createPayload({
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: "sha256:" + "a".repeat(64),
 *   size: 528,
 *   platform: { os: "linux", architecture: "amd64" },
 * });
 * console.log(new TextDecoder().decode(bytes));
 * // {"targetArtifact":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:aaa…","size":528}}
 * ```
 * @param descriptor The artifact's descriptor (resolved by digest).
 * @returns UTF-8 JSON bytes.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the descriptor is malformed.
 */
export function createPayload(descriptor: Descriptor): Bytes {
  const target = checkTarget(descriptor, (m) => new InvalidInputError(m));
  const out: Record<string, unknown> = {
    mediaType: target.mediaType,
    digest: target.digest,
    size: target.size,
  };
  if (target.annotations && Object.keys(target.annotations).length > 0) {
    out.annotations = Object.fromEntries(
      Object.entries(target.annotations).sort(([a], [b]) => compareUtf8(a, b)),
    );
  }
  return goJson({ targetArtifact: out }, false);
}

/**
 * Parses payload bytes (after the envelope verified) into the target artifact. The payload is
 * read so that notation (Go's `encoding/json`) cannot read another artifact out of the same bytes:
 * a byte order mark, a duplicate key, keys that differ only in case where Go matches them without
 * regard to case (the payload and `targetArtifact` members), and `size` written as a non-integer
 * literal are refused.
 *
 * @example
 * ```ts
 * import { createPayload, parsePayload } from "./payload.ts";
 * const d = { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: "sha256:" + "b".repeat(64), size: 1 };
 * console.log(parsePayload(createPayload(d)).size); // 1
 * ```
 * @param bytes The payload content.
 * @returns The target artifact.
 * @throws {EnvelopeInvalidError} ERR_ENVELOPE_INVALID when it is not a valid payload.
 */
export function parsePayload(bytes: Bytes): TargetArtifact {
  let doc: unknown;
  try {
    doc = parseStrictJson(bytes, { integerKeys: INTEGER_KEYS });
  } catch (cause) {
    throw new EnvelopeInvalidError(
      `The signature payload is not valid JSON: ${(cause as Error).message}`,
      { cause },
    );
  }
  const invalid = (m: string) => new EnvelopeInvalidError(`The signature payload is invalid: ${m}`);
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new EnvelopeInvalidError("The signature payload is not a JSON object");
  }
  const topProblem = checkGoStruct(doc as Record<string, unknown>, PAYLOAD_FIELDS);
  if (topProblem !== undefined) throw invalid(topProblem);
  const target = (doc as Record<string, unknown>).targetArtifact;
  if (target !== null && typeof target === "object" && !Array.isArray(target)) {
    const problem = checkGoStruct(target as Record<string, unknown>, DESCRIPTOR_FIELDS);
    if (problem !== undefined) throw invalid(`targetArtifact: ${problem}`);
  }
  return checkTarget(target, invalid);
}

function checkTarget(value: unknown, error: (message: string) => Error): TargetArtifact {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw error("targetArtifact must be an object");
  }
  const d = value as Record<string, unknown>;
  if (typeof d.mediaType !== "string" || d.mediaType === "") {
    throw error("mediaType must be a non-empty string");
  }
  if (typeof d.digest !== "string") throw error("digest must be a string");
  try {
    // blob payloads carry sha384 too (RSA-3072 and EC P-384 keys), as notation writes them
    parseDigest(d.digest, { algorithms: ["sha256", "sha384", "sha512"] });
  } catch {
    throw error(`digest ${JSON.stringify(d.digest)} is not a valid digest`);
  }
  if (typeof d.size !== "number" || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw error("size must be a non-negative integer");
  }
  const target: TargetArtifact = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.annotations !== undefined && d.annotations !== null) {
    const a = d.annotations;
    if (
      typeof a !== "object" || Array.isArray(a) ||
      Object.values(a).some((v) => typeof v !== "string")
    ) {
      throw error("annotations must map strings to strings");
    }
    target.annotations = { ...(a as Record<string, string>) };
  }
  return target;
}
