/**
 * Discovery of Notary Project signature manifests among an artifact's referrers, in both
 * shapes: notation 1.x (`config.mediaType` = `application/vnd.cncf.notary.signature`, no
 * `artifactType`) and notation 2.x (`artifactType` = the same, empty-JSON config).
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/signature-specification.md#storage
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { fetchAll } from "../content/fetch_all.ts";
import { parseManifest } from "../content/parse_manifest.ts";
import type { ReadOnlyGraphTarget } from "../content/storage.ts";
import { AbortedError, InvalidManifestError, OcisignError } from "../errors.ts";
import type { Descriptor, Manifest } from "../oci/descriptor.ts";
import {
  MEDIA_TYPE_EMPTY_JSON,
  MEDIA_TYPE_NOTARY_SIGNATURE,
  MEDIA_TYPE_OCI_MANIFEST,
} from "../oci/media_types.ts";
import { ENVELOPE_MEDIA_TYPES } from "../signature/_check_envelope.ts";

/** A signature manifest found for a subject, fetched and checked. */
export interface SignatureManifest {
  /** The signature manifest's descriptor (as listed among the referrers). */
  descriptor: Descriptor;
  /** The parsed manifest. */
  manifest: Manifest;
  /** Its single layer: the envelope blob. */
  envelope: Descriptor;
}

/** A referrer that is a signature manifest but cannot be used. */
export interface BrokenSignatureManifest {
  /** The signature manifest's descriptor. */
  descriptor: Descriptor;
  /** Why it cannot be used. */
  error: OcisignError;
}

/** Options for {@linkcode findSignatureManifests}. */
export interface FindSignatureManifestsOptions {
  /** Cancels the listing. */
  signal?: AbortSignal;
}

/**
 * Whether a fetched manifest is a Notary Project signature manifest for `subject`: either shape,
 * and a `subject` equal to the artifact's digest.
 *
 * @example
 * ```ts
 * import { isSignatureManifest } from "./signature_manifests.ts";
 * console.log(isSignatureManifest({
 *   schemaVersion: 2,
 *   config: { mediaType: "application/vnd.cncf.notary.signature", digest: "sha256:" + "4".repeat(64), size: 2 },
 *   layers: [],
 * })); // true
 * ```
 * @param manifest A parsed image manifest.
 * @param subject When given, the manifest's `subject` digest must equal its digest.
 * @returns True for a signature manifest.
 */
export function isSignatureManifest(manifest: Manifest, subject?: Descriptor): boolean {
  const artifactType = manifest.artifactType ?? "";
  const configType = manifest.config?.mediaType;
  const shaped = artifactType === ""
    ? configType === MEDIA_TYPE_NOTARY_SIGNATURE
    : artifactType === MEDIA_TYPE_NOTARY_SIGNATURE && configType === MEDIA_TYPE_EMPTY_JSON;
  if (!shaped) return false;
  return subject === undefined || manifest.subject?.digest === subject.digest;
}

function isCandidate(desc: Descriptor): boolean {
  if (desc.mediaType !== MEDIA_TYPE_OCI_MANIFEST) return false;
  // Registries may omit artifactType for 1.x manifests: inspect those too.
  const at = desc.artifactType ?? "";
  return at === "" || at === MEDIA_TYPE_NOTARY_SIGNATURE;
}

/**
 * The envelope layer of a signature manifest: exactly one layer, of a JWS or COSE media type.
 *
 * @example
 * ```ts
 * import { envelopeLayer } from "./signature_manifests.ts";
 * const layer = { mediaType: "application/jose+json", digest: "sha256:" + "a".repeat(64), size: 9 };
 * console.log(envelopeLayer({
 *   schemaVersion: 2,
 *   config: { mediaType: "application/vnd.cncf.notary.signature", digest: "sha256:" + "4".repeat(64), size: 2 },
 *   layers: [layer],
 * }, "sha256:" + "b".repeat(64)).mediaType); // application/jose+json
 * ```
 * @param manifest The signature manifest.
 * @param digest Its digest, for messages.
 * @returns The layer descriptor.
 * @throws {InvalidManifestError} ERR_INVALID_MANIFEST when there is not exactly one envelope layer.
 */
export function envelopeLayer(manifest: Manifest, digest: string): Descriptor {
  const layers = manifest.layers ?? [];
  if (layers.length !== 1) {
    throw new InvalidManifestError(
      `signature manifest ${digest} requires exactly one signature envelope blob, got ${layers.length}`,
    );
  }
  const layer = layers[0]!;
  if (!ENVELOPE_MEDIA_TYPES.includes(layer.mediaType)) {
    throw new InvalidManifestError(
      `signature manifest ${digest} has an envelope of unsupported media type ${
        JSON.stringify(layer.mediaType)
      }; expected ${ENVELOPE_MEDIA_TYPES.join(" or ")}`,
    );
  }
  return layer;
}

/**
 * Yields the signature manifests that refer to `subject`, in listing order. Every candidate
 * referrer manifest is fetched bounded (4 MiB) and digest-checked; manifests that are not
 * signatures (or whose `subject` is another artifact) are skipped silently; a signature manifest
 * that cannot be fetched or has no single JWS/COSE layer is yielded with its error.
 *
 * @example
 * ```ts ignore
 * import { findSignatureManifests } from "./signature_manifests.ts";
 * for await (const sig of findSignatureManifests(target, subject)) console.log(sig.descriptor.digest);
 * ```
 * @param target Where the artifact and its referrers are.
 * @param subject The artifact.
 * @param opts Cancellation.
 * @returns The signature manifests.
 */
export async function* findSignatureManifests(
  target: ReadOnlyGraphTarget,
  subject: Descriptor,
  opts: FindSignatureManifestsOptions = {},
): AsyncGenerator<SignatureManifest | BrokenSignatureManifest> {
  const op = opts.signal ? { signal: opts.signal } : {};
  const seen = new Set<string>();
  for await (const desc of target.referrers(subject, op)) {
    if (opts.signal?.aborted) throw new AbortedError("Listing signatures was aborted");
    if (!isCandidate(desc) || seen.has(desc.digest)) continue;
    seen.add(desc.digest);
    let raw: Bytes;
    let manifest: Manifest;
    try {
      raw = await fetchAll(target, desc, { maxBytes: MAX_MANIFEST_BYTES, ...op });
      const parsed = parseManifest(raw, { mediaType: desc.mediaType, name: desc.digest });
      if (parsed.kind !== "manifest") continue;
      manifest = parsed.json;
    } catch (err) {
      if (err instanceof OcisignError && err.code === "ERR_ABORTED") throw err;
      // Only descriptors that claim to be signatures are reported as broken.
      if (desc.artifactType === MEDIA_TYPE_NOTARY_SIGNATURE) {
        yield { descriptor: desc, error: asOcisignError(err) };
      }
      continue;
    }
    if (!isSignatureManifest(manifest, subject)) continue;
    let envelope: Descriptor;
    try {
      envelope = envelopeLayer(manifest, desc.digest);
    } catch (err) {
      yield { descriptor: desc, error: asOcisignError(err) };
      continue;
    }
    yield { descriptor: desc, manifest, envelope };
  }
}

function asOcisignError(err: unknown): OcisignError {
  if (err instanceof OcisignError) return err;
  return new InvalidManifestError(`Cannot read the signature manifest: ${String(err)}`, {
    cause: err,
  });
}
