/**
 * Manifest endpoints: `GET`/`HEAD`/`PUT`/`DELETE /v2/<name>/manifests/<tag|digest>`. Manifests are
 * stored byte for byte; the reply's `Content-Type` is the stored media type.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests
 * @module
 */
import { digestBytes } from "../digest/digest_bytes.ts";
import { parseDigest } from "../digest/digest.ts";
import { isErrorCode } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isManifestMediaType } from "../oci/media_types.ts";
import { TAG_REGEXP } from "../oci/reference_grammar.ts";
import { apiError } from "./_api_error.ts";
import { checkWritable, openRepository, readBodyBounded } from "./_context.ts";
import type { ServerContext } from "./_context.ts";
import { parsePushedManifest, requiredContent } from "./_manifest_document.ts";
import { decodeSegment } from "./_routes.ts";
import type { RegistryRepository } from "./repository.ts";

/** A parsed `<reference>` path segment. */
type Reference = { tag: string; digest?: undefined } | { digest: string; tag?: undefined };

function parseReference(segment: string): Reference {
  const text = decodeSegment(segment);
  if (text !== undefined && text.includes(":")) {
    try {
      parseDigest(text);
    } catch (err) {
      throw apiError(400, "DIGEST_INVALID", (err as Error).message);
    }
    return { digest: text };
  }
  if (text === undefined || !TAG_REGEXP.test(text)) {
    throw apiError(
      400,
      "MANIFEST_INVALID",
      `Invalid tag ${
        JSON.stringify((text ?? segment).slice(0, 200))
      }: use up to 128 of [A-Za-z0-9_.-], not starting with . or -`,
    );
  }
  return { tag: text };
}

function manifestUnknown(name: string, ref: Reference): Error {
  return apiError(
    404,
    "MANIFEST_UNKNOWN",
    `Manifest ${ref.tag ?? ref.digest} is not in repository ${name}`,
  );
}

async function resolveManifest(
  repo: RegistryRepository,
  name: string,
  ref: Reference,
  signal: AbortSignal,
): Promise<Descriptor> {
  try {
    const desc = await repo.target.resolve(ref.tag ?? ref.digest, { signal });
    if (ref.digest !== undefined && desc.digest !== ref.digest) throw manifestUnknown(name, ref);
    return desc;
  } catch (err) {
    if (isErrorCode(err, "ERR_NOT_FOUND")) throw manifestUnknown(name, ref);
    throw err;
  }
}

/** Answers `GET` and `HEAD` of a manifest. */
export async function getManifest(
  ctx: ServerContext,
  request: Request,
  name: string,
  segment: string,
): Promise<Response> {
  const ref = parseReference(segment);
  const repo = await openRepository(ctx, name, false);
  const signal = request.signal;
  const desc = await resolveManifest(repo, name, ref, signal);
  // Content known only as a blob (not a manifest) is not served as a manifest.
  if (!isManifestMediaType(desc.mediaType)) throw manifestUnknown(name, ref);
  const headers = {
    "content-type": desc.mediaType,
    "content-length": String(desc.size),
    "docker-content-digest": desc.digest,
    "etag": `"${desc.digest}"`,
  };
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });
  const body = await repo.target.fetch(desc, { signal });
  return new Response(body, { status: 200, headers });
}

async function checkReferences(
  repo: RegistryRepository,
  refs: Descriptor[],
  signal: AbortSignal,
): Promise<void> {
  for (const d of refs) {
    const size = await repo.blobSize(d.digest, { signal });
    if (size === undefined) {
      throw apiError(
        400,
        "MANIFEST_BLOB_UNKNOWN",
        `The manifest references ${d.digest}, which is not in the repository; push it first`,
      );
    }
    if (size !== d.size) {
      throw apiError(
        400,
        "MANIFEST_INVALID",
        `The manifest gives ${d.digest} a size of ${d.size}, but it has ${size} bytes`,
      );
    }
  }
}

/** The `?tag=` parameters of a push by digest, checked against the tag grammar. */
function tagParams(url: URL, ref: Reference): string[] {
  const tags = url.searchParams.getAll("tag");
  if (tags.length > 0 && ref.digest === undefined) {
    throw apiError(
      400,
      "MANIFEST_INVALID",
      "?tag= parameters are only allowed on a push by digest",
    );
  }
  for (const t of tags) {
    if (!TAG_REGEXP.test(t)) {
      throw apiError(
        400,
        "MANIFEST_INVALID",
        `Invalid tag ${JSON.stringify(t.slice(0, 200))} in ?tag=`,
      );
    }
  }
  return [...new Set(tags)];
}

/**
 * Answers `PUT` of a manifest with 201, `Docker-Content-Digest`, `OCI-Subject` for a manifest
 * with a subject, and `OCI-Tag` for the `?tag=` parameters of a push by digest.
 */
export async function putManifest(
  ctx: ServerContext,
  request: Request,
  url: URL,
  name: string,
  segment: string,
): Promise<Response> {
  checkWritable(ctx);
  const ref = parseReference(segment);
  const extraTags = tagParams(url, ref);
  const repo = await openRepository(ctx, name, true);
  const signal = request.signal;
  const bytes = await readBodyBounded(request, ctx.limits.maxManifestBytes, "The manifest");
  const parsed = parsePushedManifest(bytes, request.headers.get("content-type"));
  const algorithm = ref.digest === undefined ? "sha256" : parseDigest(ref.digest).algorithm;
  const digest = await digestBytes(bytes, algorithm);
  if (ref.digest !== undefined && ref.digest !== digest) {
    throw apiError(
      400,
      "DIGEST_INVALID",
      `The manifest's digest is ${digest}, not ${ref.digest} as in the URL`,
    );
  }
  await checkReferences(repo, requiredContent(parsed), signal);
  const desc: Descriptor = { mediaType: parsed.mediaType, digest, size: bytes.length };
  const tags = ref.tag === undefined ? extraTags : [ref.tag];
  await ctx.locks.run(`repo:${name}`, async () => {
    try {
      await repo.target.push(desc, bytes, { signal });
    } catch (err) {
      if (!isErrorCode(err, "ERR_ALREADY_EXISTS")) throw err;
    }
    for (const t of tags) await repo.target.tag(desc, t, { signal });
  });
  const headers: Record<string, string> = {
    "location": `/v2/${name}/manifests/${digest}`,
    "docker-content-digest": digest,
    "content-length": "0",
  };
  // distribution-spec: a registry supporting referrers MUST answer OCI-Subject for a subject push.
  if (parsed.json.subject !== undefined) headers["oci-subject"] = parsed.json.subject.digest;
  if (extraTags.length > 0) headers["oci-tag"] = extraTags.join(", ");
  return new Response(null, { status: 201, headers });
}

/** Answers `DELETE` of a manifest (by digest, with its tags) or of a tag alone, with 202. */
export async function deleteManifest(
  ctx: ServerContext,
  request: Request,
  name: string,
  segment: string,
): Promise<Response> {
  checkWritable(ctx);
  const ref = parseReference(segment);
  const repo = await openRepository(ctx, name, false);
  const signal = request.signal;
  await ctx.locks.run(`repo:${name}`, async () => {
    const desc = await resolveManifest(repo, name, ref, signal);
    if (ref.tag !== undefined) {
      await repo.untag(ref.tag, { signal });
    } else {
      await repo.target.delete(desc, { signal });
    }
  });
  return new Response(null, { status: 202, headers: { "content-length": "0" } });
}
