/**
 * Blob upload endpoints: `POST /v2/<name>/blobs/uploads/` (session, single-request push with
 * `?digest=`, cross-repository `?mount=&from=`), `PATCH`/`PUT`/`GET`/`DELETE` of a session.
 * Bytes go to scratch files, never to memory, and a blob becomes visible only after the store has
 * verified it against the digest.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-blobs
 * @module
 */
import { verifyStream } from "../digest/verify_stream.ts";
import { isErrorCode, OcisignError } from "../errors.ts";
import { apiError } from "./_api_error.ts";
import {
  checkDigest,
  checkName,
  checkWritable,
  declaredLength,
  openRepository,
} from "./_context.ts";
import type { ServerContext } from "./_context.ts";
import { uploadLocation, uploadRange } from "./_upload_sessions.ts";
import { tap } from "./_tap.ts";
import type { UploadSession } from "./_upload_sessions.ts";

const OCTET_STREAM = "application/octet-stream";
const CONTENT_RANGE_REGEXP = /^(?:bytes )?(\d{1,16})-(\d{1,16})(?:\/(?:\d+|\*))?$/;

function sessionHeaders(session: UploadSession): Record<string, string> {
  return {
    "location": uploadLocation(session),
    "range": uploadRange(session),
    "docker-upload-uuid": session.id,
    "content-length": "0",
  };
}

function blobCreated(name: string, digest: string): Response {
  return new Response(null, {
    status: 201,
    headers: {
      "location": `/v2/${name}/blobs/${digest}`,
      "docker-content-digest": digest,
      "content-length": "0",
    },
  });
}

/**
 * Appends the request body (if any) to the session as one part. With `Content-Range`, the chunk
 * must start where the session ends (else 416) and be exactly as long as the range says.
 */
async function appendBody(
  ctx: ServerContext,
  request: Request,
  session: UploadSession,
): Promise<void> {
  const declared = declaredLength(request);
  const rangeHeader = request.headers.get("content-range");
  let exact: number | undefined;
  if (rangeHeader !== null) {
    const m = CONTENT_RANGE_REGEXP.exec(rangeHeader.trim());
    if (m === null) {
      throw apiError(
        400,
        "BLOB_UPLOAD_INVALID",
        `Invalid Content-Range ${JSON.stringify(rangeHeader.slice(0, 60))}: use <start>-<end>`,
      );
    }
    const start = Number(m[1]);
    const end = Number(m[2]);
    if (start !== session.offset || end < start) {
      throw apiError(
        416,
        "BLOB_UPLOAD_INVALID",
        `Chunk ${start}-${end} does not continue the upload, which has ${session.offset} bytes; send bytes from ${session.offset}`,
        { location: uploadLocation(session), range: uploadRange(session) },
      );
    }
    exact = end - start + 1;
    if (declared !== undefined && declared !== exact) {
      throw apiError(
        400,
        "SIZE_INVALID",
        `Content-Length ${declared} does not match Content-Range ${start}-${end}`,
      );
    }
  } else {
    exact = declared;
  }
  const room = ctx.limits.maxBlobBytes - session.offset;
  if (exact !== undefined && exact > room) {
    throw apiError(
      413,
      "SIZE_INVALID",
      `The blob would exceed the limit of ${ctx.limits.maxBlobBytes} bytes`,
    );
  }
  if (request.body === null || exact === 0) {
    if (exact !== undefined && exact > 0) {
      throw apiError(400, "SIZE_INVALID", "The request declares a body but sent none");
    }
    return;
  }
  let part: { size: number; hex: string };
  try {
    part = await writeHashedPart(ctx, session, request.body, {
      maxBytes: exact ?? room,
      exact: exact !== undefined,
      signal: request.signal,
    });
  } catch (err) {
    if (isErrorCode(err, "ERR_SIZE_EXCEEDED")) {
      throw exact === undefined
        ? apiError(
          413,
          "SIZE_INVALID",
          `The blob would exceed the limit of ${ctx.limits.maxBlobBytes} bytes`,
        )
        : apiError(400, "SIZE_INVALID", `The body is longer than the declared ${exact} bytes`);
    }
    if (isErrorCode(err, "ERR_SIZE_MISMATCH")) {
      throw apiError(400, "SIZE_INVALID", `The body is shorter than the declared ${exact} bytes`);
    }
    if (err instanceof OcisignError && !isErrorCode(err, "ERR_ABORTED")) throw err;
    throw apiError(
      400,
      "BLOB_UPLOAD_INVALID",
      "The upload body could not be read to the end; resume from the reported range",
    );
  }
  if (part.size > 0) {
    session.partDigests[session.parts] = `sha256:${part.hex}`;
    session.offset += part.size;
    session.parts += 1;
  }
}

/**
 * Stores the request body as the session's next part and hashes it with sha256: off this thread
 * where the upload store can, else as it streams through.
 */
async function writeHashedPart(
  ctx: ServerContext,
  session: UploadSession,
  body: ReadableStream<Uint8Array>,
  opts: { maxBytes: number; exact: boolean; signal: AbortSignal },
): Promise<{ size: number; hex: string }> {
  const uploads = session.repository.uploads;
  const off = uploads.writeHashedPart?.(session.id, session.parts, body, {
    ...opts,
    algorithm: "sha256",
  });
  if (off !== undefined) return await off;
  const hasher = ctx.hasher("sha256");
  const hashed = tap(body, (chunk) => hasher.update(chunk));
  const size = await uploads.writePart(session.id, session.parts, hashed, opts);
  return { size, hex: hasher.digestHex() };
}

/**
 * Verifies the session's bytes against `digest` and stores them as a blob. A single-part sha256
 * upload was hashed as it arrived, so it is checked without reading it again and, where the
 * repository can, moved into place instead of copied (as Distribution does).
 */
async function commit(
  ctx: ServerContext,
  session: UploadSession,
  digest: string,
  signal: AbortSignal,
): Promise<void> {
  const repo = session.repository;
  const desc = { mediaType: OCTET_STREAM, digest, size: session.offset };
  await ctx.locks.run(`blob:${session.name}@${digest}`, async () => {
    if (session.parts === 1 && digest.startsWith("sha256:") && repo.adoptUpload) {
      if (session.partDigests[0] !== digest) {
        throw apiError(
          400,
          "DIGEST_INVALID",
          `The uploaded ${session.offset} bytes do not match digest ${digest}`,
        );
      }
      if ((await repo.blobSize(digest, { signal })) === desc.size) return;
      await repo.adoptUpload(session.id, 0, desc, { signal });
      return;
    }
    try {
      const parts = repo.uploads.readParts(session.id, session.parts);
      if ((await repo.blobSize(digest, { signal })) === desc.size) {
        // Already stored: the store will not rewrite it, but the upload must still match.
        await verifyStream(parts, desc, ctx.hasher).pipeTo(new WritableStream(), { signal });
        return;
      }
      await repo.target.push(desc, parts, { signal });
    } catch (err) {
      if (isErrorCode(err, "ERR_DIGEST_MISMATCH") || isErrorCode(err, "ERR_SIZE_MISMATCH")) {
        throw apiError(
          400,
          "DIGEST_INVALID",
          `The uploaded ${session.offset} bytes do not match digest ${digest}`,
        );
      }
      if (!isErrorCode(err, "ERR_ALREADY_EXISTS")) throw err;
    }
  });
}

/** `POST /v2/<name>/blobs/uploads/`: mount, single-request push or a new session. */
export async function postUpload(
  ctx: ServerContext,
  request: Request,
  url: URL,
  name: string,
): Promise<Response> {
  checkWritable(ctx);
  const repo = await openRepository(ctx, name, true);
  const mount = url.searchParams.get("mount");
  const from = url.searchParams.get("from");
  if (mount !== null && from !== null) {
    const digest = checkDigest(mount);
    checkName(from);
    const source = await ctx.repositories.get(from, { signal: request.signal });
    const size = await source?.blobSize(digest, { signal: request.signal });
    if (source !== undefined && size !== undefined) {
      const desc = { mediaType: OCTET_STREAM, digest, size };
      await ctx.locks.run(`blob:${name}@${digest}`, async () => {
        if ((await repo.blobSize(digest, { signal: request.signal })) !== undefined) return;
        const body = await source.target.fetch(desc, { signal: request.signal });
        await repo.target.push(desc, body, { signal: request.signal });
      });
      return blobCreated(name, digest);
    }
  }
  const digestParam = url.searchParams.get("digest");
  const digest = digestParam === null ? undefined : checkDigest(digestParam);
  const session = await ctx.sessions.open(name, repo);
  if (digest === undefined) {
    if (request.body !== null) await request.body.cancel().catch(() => {});
    return new Response(null, { status: 202, headers: sessionHeaders(session) });
  }
  session.busy = true;
  try {
    await appendBody(ctx, request, session);
    await commit(ctx, session, digest, request.signal);
  } finally {
    await ctx.sessions.close(session);
  }
  return blobCreated(name, digest);
}

/** `PATCH <session>`: appends a chunk (streamed, or ranged with `Content-Range`). */
export async function patchUpload(
  ctx: ServerContext,
  request: Request,
  name: string,
  id: string,
): Promise<Response> {
  checkWritable(ctx);
  const session = await ctx.sessions.acquire(name, id);
  try {
    await appendBody(ctx, request, session);
  } finally {
    ctx.sessions.release(session);
  }
  return new Response(null, { status: 202, headers: sessionHeaders(session) });
}

/** `PUT <session>?digest=`: appends an optional last chunk, verifies and stores the blob. */
export async function putUpload(
  ctx: ServerContext,
  request: Request,
  url: URL,
  name: string,
  id: string,
): Promise<Response> {
  checkWritable(ctx);
  const digest = checkDigest(url.searchParams.get("digest"));
  const session = await ctx.sessions.acquire(name, id);
  try {
    await appendBody(ctx, request, session);
  } catch (err) {
    ctx.sessions.release(session);
    throw err;
  }
  try {
    await commit(ctx, session, digest, request.signal);
  } finally {
    await ctx.sessions.close(session);
  }
  return blobCreated(name, digest);
}

/** `GET <session>`: reports how many bytes the session holds (204 with `Range`). */
export async function getUploadStatus(
  ctx: ServerContext,
  name: string,
  id: string,
): Promise<Response> {
  const session = await ctx.sessions.peek(name, id);
  return new Response(null, { status: 204, headers: sessionHeaders(session) });
}

/** `DELETE <session>`: cancels the upload and removes its bytes (204). */
export async function deleteUpload(
  ctx: ServerContext,
  name: string,
  id: string,
): Promise<Response> {
  checkWritable(ctx);
  const session = await ctx.sessions.acquire(name, id);
  await ctx.sessions.close(session);
  return new Response(null, { status: 204, headers: { "content-length": "0" } });
}
