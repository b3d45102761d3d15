/**
 * Private helpers for referrer lists: read a referrers API page, parse an index leniently, filter
 * by artifact type, and for the tag schema apply one change and encode the index.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests-with-subject
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { type ParsedImageIndex, parseManifest } from "../content/parse_manifest.ts";
import { utf8 } from "../_internal/bytes.ts";
import { digestBytes } from "../digest/digest_bytes.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { MEDIA_TYPE_OCI_INDEX } from "../oci/media_types.ts";
import { readAllBounded } from "./_read_bounded.ts";
import { nextLink } from "./_response.ts";

/** One page of a referrers listing. */
export interface ReferrersPage {
  /** The referrers on this page (already filtered when asked). */
  items: Descriptor[];
  /** The next page, from a same-origin `Link` header. */
  next: URL | undefined;
}

/** Parses an image index, or gives `undefined` when the bytes are not a valid index. */
export function parseReferrersIndex(bytes: Uint8Array, name: string): ParsedImageIndex | undefined {
  try {
    const parsed = parseManifest(bytes, { name });
    return parsed.kind === "index" ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps the descriptors of one artifact type (all when `artifactType` is undefined). */
export function filterByArtifactType(
  items: Descriptor[],
  artifactType: string | undefined,
): Descriptor[] {
  return artifactType === undefined ? items : items.filter((d) => d.artifactType === artifactType);
}

/**
 * Reads a 200 referrers API response (at most 4 MiB); filters client-side unless
 * `OCI-Filters-Applied` (or the legacy index annotation) says the registry did.
 */
export async function readReferrersPage(
  res: Response,
  url: URL,
  artifactType: string | undefined,
): Promise<ReferrersPage> {
  const applied = (res.headers.get("oci-filters-applied") ?? "").split(",").map((s) => s.trim());
  const next = nextLink(res, url);
  const bytes = await readAllBounded(res.body, MAX_MANIFEST_BYTES, "Referrers page");
  const parsed = parseReferrersIndex(bytes, "referrers response");
  const legacy = parsed?.json.annotations?.["org.opencontainers.referrers.filtersApplied"]
    ?.split(",") ?? [];
  const items = parsed?.json.manifests ?? [];
  const filtered = applied.includes("artifactType") || legacy.includes("artifactType");
  return { items: filtered ? items : filterByArtifactType(items, artifactType), next };
}

/** One change to a referrers index: add a referrer's descriptor, or remove one by digest. */
export type ReferrersChange = { add: Descriptor } | { remove: string };

/**
 * Applies a change; `undefined` means nothing changes (the referrer is already listed, or the one
 * to remove is absent). Duplicates are skipped as the spec asks.
 */
export function applyReferrersChange(
  manifests: readonly Descriptor[],
  change: ReferrersChange,
): Descriptor[] | undefined {
  if ("add" in change) {
    if (manifests.some((d) => d.digest === change.add.digest)) return undefined;
    return [...manifests, change.add];
  }
  const kept = manifests.filter((d) => d.digest !== change.remove);
  return kept.length === manifests.length ? undefined : kept;
}

/** Encodes an OCI image index over `manifests`, with its descriptor. */
export async function encodeReferrersIndex(
  manifests: readonly Descriptor[],
): Promise<{ desc: Descriptor; bytes: Bytes }> {
  const bytes = utf8(
    JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests }),
  );
  return {
    desc: { mediaType: MEDIA_TYPE_OCI_INDEX, digest: await digestBytes(bytes), size: bytes.length },
    bytes,
  };
}
