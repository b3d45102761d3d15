/**
 * Parses and validates manifests and indexes from their raw bytes, keeping the raw bytes with the
 * parsed view (digests are always over the raw bytes, never re-serialised JSON).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { isDigest } from "../digest/digest.ts";
import { InvalidManifestError, SizeExceededError } from "../errors.ts";
import type { Descriptor, Index, Manifest } from "../oci/descriptor.ts";
import {
  isIndexMediaType,
  MEDIA_TYPE_OCI_INDEX,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../oci/media_types.ts";

/** A validated image manifest with its raw bytes. */
export interface ParsedImageManifest {
  /** Discriminates manifests from indexes. */
  kind: "manifest";
  /** The media type (from the document, else the descriptor, else OCI). */
  mediaType: string;
  /** The exact bytes. */
  raw: Bytes;
  /** The parsed document (unknown fields preserved). */
  json: Manifest;
}

/** A validated image index with its raw bytes. */
export interface ParsedImageIndex {
  /** Discriminates indexes from manifests. */
  kind: "index";
  /** The media type (from the document, else the descriptor, else OCI). */
  mediaType: string;
  /** The exact bytes. */
  raw: Bytes;
  /** The parsed document (unknown fields preserved). */
  json: Index;
}

/** Either a manifest or an index. */
export type ParsedManifest = ParsedImageManifest | ParsedImageIndex;

/** Options for {@linkcode parseManifest}. */
export interface ParseManifestOptions {
  /** The media type the content was fetched under (a descriptor's or a `Content-Type`). */
  mediaType?: string;
  /** What to call the document in errors (e.g. its digest). */
  name?: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkStringMap(v: unknown, where: string): void {
  if (v === undefined) return;
  if (!isObject(v) || Object.values(v).some((x) => typeof x !== "string")) {
    throw new InvalidManifestError(`${where}: "annotations" must be an object of strings`);
  }
}

/**
 * Validates the shape of an untrusted descriptor (mediaType, a supported digest, a size that is a
 * non-negative safe integer, string annotations).
 *
 * @example
 * ```ts
 * import { validateDescriptor } from "./parse_manifest.ts";
 * const d = validateDescriptor({
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * }, "config");
 * console.log(d.size); // 2
 * ```
 * @param value Parsed JSON.
 * @param where Where it was found, for the message.
 * @returns The same value, typed.
 * @throws {InvalidManifestError} ERR_INVALID_MANIFEST when malformed.
 */
export function validateDescriptor(value: unknown, where: string): Descriptor {
  if (!isObject(value)) throw new InvalidManifestError(`${where}: descriptor must be an object`);
  if (typeof value.mediaType !== "string" || value.mediaType === "") {
    throw new InvalidManifestError(`${where}: descriptor needs a non-empty "mediaType"`);
  }
  if (typeof value.digest !== "string" || !isDigest(value.digest)) {
    throw new InvalidManifestError(
      `${where}: descriptor "digest" ${
        JSON.stringify(value.digest)
      } is not a valid sha256/sha512 digest`,
    );
  }
  if (typeof value.size !== "number" || !Number.isSafeInteger(value.size) || value.size < 0) {
    throw new InvalidManifestError(`${where}: descriptor "size" must be a non-negative integer`);
  }
  checkStringMap(value.annotations, where);
  if (value.artifactType !== undefined && typeof value.artifactType !== "string") {
    throw new InvalidManifestError(`${where}: descriptor "artifactType" must be a string`);
  }
  if (
    value.urls !== undefined &&
    (!Array.isArray(value.urls) || value.urls.some((u) => typeof u !== "string"))
  ) {
    throw new InvalidManifestError(`${where}: descriptor "urls" must be an array of strings`);
  }
  if (value.data !== undefined && typeof value.data !== "string") {
    throw new InvalidManifestError(`${where}: descriptor "data" must be a base64 string`);
  }
  return value as unknown as Descriptor;
}

function descriptorList(value: unknown, where: string): Descriptor[] {
  if (!Array.isArray(value)) throw new InvalidManifestError(`${where} must be an array`);
  return value.map((d, i) => validateDescriptor(d, `${where}[${i}]`));
}

/**
 * Parses a manifest or index from raw bytes and validates it: at most 4 MiB, a JSON object with
 * `schemaVersion: 2`, a `mediaType` consistent with the one it was fetched under, and well-formed
 * descriptors (`config`/`layers`, or `manifests`, and `subject`). Unknown fields are kept.
 *
 * @example
 * ```ts
 * import { parseManifest } from "./parse_manifest.ts";
 * const raw = new TextEncoder().encode(
 *   '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}',
 * );
 * const parsed = parseManifest(raw);
 * console.log(parsed.kind, parsed.raw === raw); // "index" true
 * ```
 * @param raw The exact bytes.
 * @param opts The media type it was fetched under, and a name for messages.
 * @returns The parsed document with its raw bytes.
 * @throws {InvalidManifestError} ERR_INVALID_MANIFEST when malformed.
 * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when over 4 MiB.
 */
export function parseManifest(raw: Uint8Array, opts: ParseManifestOptions = {}): ParsedManifest {
  const name = opts.name ?? "manifest";
  if (raw.length > MAX_MANIFEST_BYTES) {
    throw new SizeExceededError(`Manifest ${name}`, raw.length, MAX_MANIFEST_BYTES);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch (err) {
    throw new InvalidManifestError(`Cannot parse ${name}: not valid UTF-8 JSON`, { cause: err });
  }
  if (!isObject(doc)) throw new InvalidManifestError(`Cannot parse ${name}: not a JSON object`);
  if (doc.schemaVersion !== 2) {
    throw new InvalidManifestError(`Cannot parse ${name}: "schemaVersion" must be 2`);
  }
  if (doc.mediaType !== undefined && typeof doc.mediaType !== "string") {
    throw new InvalidManifestError(`Cannot parse ${name}: "mediaType" must be a string`);
  }
  const declared = doc.mediaType as string | undefined;
  if (declared !== undefined && opts.mediaType !== undefined && declared !== opts.mediaType) {
    throw new InvalidManifestError(
      `Cannot parse ${name}: its mediaType ${declared} differs from ${opts.mediaType} it was fetched as`,
    );
  }
  let mediaType = declared ?? opts.mediaType;
  const looksIndex = mediaType !== undefined
    ? isIndexMediaType(mediaType)
    : Array.isArray(doc.manifests) && doc.config === undefined;
  mediaType ??= looksIndex ? MEDIA_TYPE_OCI_INDEX : MEDIA_TYPE_OCI_MANIFEST;
  checkStringMap(doc.annotations, name);
  if (doc.artifactType !== undefined && typeof doc.artifactType !== "string") {
    throw new InvalidManifestError(`Cannot parse ${name}: "artifactType" must be a string`);
  }
  if (doc.subject !== undefined) validateDescriptor(doc.subject, `${name} subject`);
  const bytes = raw as Bytes;
  if (looksIndex) {
    descriptorList(doc.manifests, `${name} manifests`);
    return { kind: "index", mediaType, raw: bytes, json: doc as unknown as Index };
  }
  validateDescriptor(doc.config, `${name} config`);
  descriptorList(doc.layers ?? [], `${name} layers`);
  return { kind: "manifest", mediaType, raw: bytes, json: doc as unknown as Manifest };
}

/**
 * The descriptors a manifest or index points at: its subject, then config and layers, or the
 * child manifests.
 *
 * @example
 * ```ts
 * import { parseManifest, successors } from "./parse_manifest.ts";
 * const parsed = parseManifest(new TextEncoder().encode('{"schemaVersion":2,"manifests":[]}'));
 * console.log(successors(parsed).length); // 0
 * ```
 * @param parsed A parsed manifest or index.
 * @returns The child descriptors.
 */
export function successors(parsed: ParsedManifest): Descriptor[] {
  const out: Descriptor[] = [];
  if (parsed.json.subject) out.push(parsed.json.subject);
  if (parsed.kind === "index") out.push(...parsed.json.manifests);
  else out.push(parsed.json.config, ...(parsed.json.layers ?? []));
  return out;
}

/**
 * The artifact type of a referrer as the referrers API reports it: the manifest's
 * `artifactType`, else (image manifests) its `config.mediaType`.
 *
 * @example
 * ```ts
 * import { artifactTypeOf, parseManifest } from "./parse_manifest.ts";
 * const p = parseManifest(new TextEncoder().encode('{"schemaVersion":2,"manifests":[],"artifactType":"x/y"}'));
 * console.log(artifactTypeOf(p)); // "x/y"
 * ```
 * @param parsed A parsed manifest or index.
 * @returns The artifact type, or undefined when there is none.
 */
export function artifactTypeOf(parsed: ParsedManifest): string | undefined {
  if (parsed.json.artifactType) return parsed.json.artifactType;
  return parsed.kind === "manifest" ? parsed.json.config.mediaType : undefined;
}

/**
 * The descriptor a referrers listing gives for a referrer manifest: mediaType, digest and size of
 * the manifest, its artifact type, and its annotations.
 *
 * @example
 * ```ts
 * import { parseManifest, referrerDescriptor } from "./parse_manifest.ts";
 * const p = parseManifest(new TextEncoder().encode('{"schemaVersion":2,"manifests":[]}'));
 * console.log(referrerDescriptor(p, "sha256:" + "0".repeat(64)).size);
 * ```
 * @param parsed The referrer.
 * @param digest Its digest.
 * @returns The descriptor.
 */
export function referrerDescriptor(parsed: ParsedManifest, digest: string): Descriptor {
  const desc: Descriptor = { mediaType: parsed.mediaType, digest, size: parsed.raw.length };
  const at = artifactTypeOf(parsed);
  if (at !== undefined) desc.artifactType = at;
  if (parsed.json.annotations) desc.annotations = { ...parsed.json.annotations };
  return desc;
}
