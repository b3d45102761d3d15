/**
 * Content discovery: `GET /v2/<name>/tags/list` (with `n`, `last` and `Link` paging) and
 * `GET /v2/<name>/referrers/<digest>` (with the `artifactType` filter).
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#content-discovery
 * @module
 */
import type { Descriptor } from "../oci/descriptor.ts";
import { MEDIA_TYPE_OCI_INDEX, MEDIA_TYPE_OCI_MANIFEST } from "../oci/media_types.ts";
import { apiError, jsonResponse } from "./_api_error.ts";
import { checkDigest, checkName, openRepository } from "./_context.ts";
import type { ServerContext } from "./_context.ts";
import { decodeSegment } from "./_routes.ts";

function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Answers the tag list, sorted, paged with `n` and `last`. */
export async function listTags(
  ctx: ServerContext,
  request: Request,
  url: URL,
  name: string,
): Promise<Response> {
  const nText = url.searchParams.get("n");
  const last = url.searchParams.get("last");
  let n: number | undefined;
  if (nText !== null && nText !== "") {
    if (!/^\d{1,9}$/.test(nText)) {
      throw apiError(
        400,
        "PAGINATION_NUMBER_INVALID",
        `Invalid page size n=${JSON.stringify(nText.slice(0, 20))}: use a non-negative integer`,
      );
    }
    n = Number(nText);
  }
  const repo = await openRepository(ctx, name, false);
  const all: string[] = [];
  for await (const tag of repo.target.tags({ signal: request.signal })) all.push(tag);
  all.sort(compareCodeUnits);
  const after = last === null ? all : all.filter((t) => t > last);
  const page = n === undefined ? after : after.slice(0, n);
  const headers: Record<string, string> = {};
  if (n !== undefined && n > 0 && after.length > page.length) {
    const next = `/v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1]!)}`;
    headers["link"] = `<${next}>; rel="next"`;
  }
  return jsonResponse(200, { name, tags: page }, headers);
}

/** The referrer entry as the spec wants it: type, digest, size, artifactType and annotations. */
function referrerEntry(d: Descriptor): Descriptor {
  const entry: Descriptor = { mediaType: d.mediaType, digest: d.digest, size: d.size };
  if (d.artifactType !== undefined) entry.artifactType = d.artifactType;
  if (d.annotations !== undefined && Object.keys(d.annotations).length > 0) {
    entry.annotations = d.annotations;
  }
  return entry;
}

/** Answers the referrers of a digest as an image index; always 200 for a valid digest. */
export async function listReferrers(
  ctx: ServerContext,
  request: Request,
  url: URL,
  name: string,
  segment: string,
): Promise<Response> {
  const digest = checkDigest(decodeSegment(segment));
  checkName(name);
  const artifactType = url.searchParams.get("artifactType") ?? undefined;
  const manifests: Descriptor[] = [];
  const repo = await ctx.repositories.get(name, { signal: request.signal });
  if (repo !== undefined) {
    // The subject need not exist: referrers may be pushed before (or without) it. Only its
    // digest is compared.
    const subject = { mediaType: MEDIA_TYPE_OCI_MANIFEST, digest, size: 0 };
    const opts = artifactType === undefined
      ? { signal: request.signal }
      : { signal: request.signal, artifactType };
    for await (const d of repo.target.referrers(subject, opts)) {
      if (artifactType !== undefined && d.artifactType !== artifactType) continue;
      manifests.push(referrerEntry(d));
    }
  }
  const headers: Record<string, string> = {};
  // distribution-spec: a registry that applies the filter says so in OCI-Filters-Applied.
  if (artifactType !== undefined) headers["oci-filters-applied"] = "artifactType";
  const index = { schemaVersion: 2, mediaType: MEDIA_TYPE_OCI_INDEX, manifests };
  return jsonResponse(200, index, headers, MEDIA_TYPE_OCI_INDEX);
}
