/**
 * Blob endpoints: `GET`/`HEAD /v2/<name>/blobs/<digest>` (with single byte ranges) and `DELETE`.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs
 * @module
 */
import { apiError } from "./_api_error.ts";
import { checkDigest, checkWritable, openRepository } from "./_context.ts";
import type { ServerContext } from "./_context.ts";
import { parseRange } from "./_range.ts";
import { decodeSegment } from "./_routes.ts";

const OCTET_STREAM = "application/octet-stream";

/** Answers `GET` and `HEAD` of a blob; `Range` gives 206 or 416. */
export async function getBlob(
  ctx: ServerContext,
  request: Request,
  name: string,
  digestText: string,
): Promise<Response> {
  const digest = checkDigest(decodeSegment(digestText));
  const repo = await openRepository(ctx, name, false);
  const size = await repo.blobSize(digest, { signal: request.signal });
  if (size === undefined) {
    throw apiError(404, "BLOB_UNKNOWN", `Blob ${digest} is not in repository ${name}`);
  }
  const desc = { mediaType: OCTET_STREAM, digest, size };
  const headers = new Headers({
    "content-type": OCTET_STREAM,
    "docker-content-digest": digest,
    "accept-ranges": "bytes",
    "etag": `"${digest}"`,
  });
  const range = request.method === "HEAD"
    ? { kind: "full" as const }
    : parseRange(request.headers.get("range"), size);
  if (range.kind === "unsatisfiable") {
    throw apiError(
      416,
      "RANGE_INVALID",
      `The requested range is not within the blob's ${size} bytes`,
      {
        "content-range": `bytes */${size}`,
      },
    );
  }
  if (range.kind === "partial") {
    headers.set(
      "content-range",
      `bytes ${range.offset}-${range.offset + range.length - 1}/${size}`,
    );
    headers.set("content-length", String(range.length));
    const body = await repo.readBlob(desc, range, { signal: request.signal });
    return new Response(body, { status: 206, headers });
  }
  headers.set("content-length", String(size));
  if (request.method === "HEAD") return new Response(null, { status: 200, headers });
  // Served as stored, like a partial read: blobs were verified when they were pushed, and every
  // client checks what it pulls against the digest it asked for.
  const body = await repo.readBlob(desc, { offset: 0, length: size }, { signal: request.signal });
  return new Response(body, { status: 200, headers });
}

/** Answers `DELETE` of a blob with 202. */
export async function deleteBlob(
  ctx: ServerContext,
  request: Request,
  name: string,
  digestText: string,
): Promise<Response> {
  checkWritable(ctx);
  const digest = checkDigest(decodeSegment(digestText));
  const repo = await openRepository(ctx, name, false);
  const size = await repo.blobSize(digest, { signal: request.signal });
  if (size === undefined) {
    throw apiError(404, "BLOB_UNKNOWN", `Blob ${digest} is not in repository ${name}`);
  }
  await ctx.locks.run(
    `repo:${name}`,
    () => repo.target.delete({ mediaType: OCTET_STREAM, digest, size }, { signal: request.signal }),
  );
  return new Response(null, { status: 202, headers: { "content-length": "0" } });
}
