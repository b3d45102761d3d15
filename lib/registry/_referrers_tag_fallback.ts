/**
 * Private: listing referrers from the tag schema, for registries without the referrers API: the
 * image index tagged `<alg>-<hex>` after the subject's digest.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#referrers-tag-schema
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { Op } from "../content/storage.ts";
import { isErrorCode } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isIndexMediaType } from "../oci/media_types.ts";
import { filterByArtifactType, parseReferrersIndex } from "./_referrers_index.ts";
import { referrersTag } from "./referrers_tag.ts";

/** Fetches a manifest by tag, with its descriptor and exact bytes. */
export type FetchManifestByTag = (
  tag: string,
  opts: Op,
) => Promise<{ descriptor: Descriptor; bytes: Bytes }>;

/**
 * The referrers of `subject` listed in its fallback tag's index; none when the tag is absent or
 * holds something other than a valid image index.
 */
export async function referrersByTag(
  fetchManifest: FetchManifestByTag,
  subject: Descriptor,
  opts: Op & { artifactType?: string },
): Promise<Descriptor[]> {
  const tag = referrersTag(subject.digest);
  let fetched: { descriptor: Descriptor; bytes: Bytes };
  try {
    fetched = await fetchManifest(tag, opts);
  } catch (err) {
    if (isErrorCode(err, "ERR_NOT_FOUND")) return [];
    throw err;
  }
  if (!isIndexMediaType(fetched.descriptor.mediaType)) return [];
  const parsed = parseReferrersIndex(fetched.bytes, `referrers index ${tag}`);
  if (parsed === undefined) return [];
  return filterByArtifactType(parsed.json.manifests, opts.artifactType);
}
