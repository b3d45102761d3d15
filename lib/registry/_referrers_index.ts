/**
 * Private helpers for the referrers tag schema's index: apply one change, and encode the index.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests-with-subject
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { utf8 } from "../_internal/bytes.ts";
import { digestBytes } from "../digest/digest_bytes.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { MEDIA_TYPE_OCI_INDEX } from "../oci/media_types.ts";

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
