/**
 * Private blob upload into an open session: one `PUT ?digest=` (bytes in memory, or the body
 * streamed through a verifying stream, as oras does) up to `chunkSize`, else `PATCH` chunks with
 * `Content-Range`, each checked before the closing `PUT`. A streamed body that does not match its
 * descriptor errors before its end, so the request fails (and the registry checks `?digest=` as
 * well); on any failure the session is cancelled.
 *
 * @see https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-blobs
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { verifyBytes } from "../content/fetch_all.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { verifiedOnce } from "../digest/verify_stream.ts";
import { DigestMismatchError, isErrorCode, RegistryError, SizeMismatchError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { HttpClient } from "./http_client.ts";
import { readAllBounded } from "./_read_bounded.ts";
import { discard } from "./_response.ts";
import { responseError } from "./_response_error.ts";

/** What an upload needs from its repository. */
export interface UploadContext {
  /** The registry client. */
  client: HttpClient;
  /** `registry/repository`, for messages. */
  repository: string;
  /** The registry origin; upload locations must stay on it. */
  origin: string;
  /** Token scopes for pushing. */
  scopes: string[];
  /** Names content in messages. */
  label(digest: string): string;
  /** Largest single-request upload, and the PATCH chunk size above it. */
  chunkSize: number;
  /** Hashes chunked uploads as they stream. */
  hasher: HasherFactory;
}

export async function uploadToSession(
  ctx: UploadContext,
  started: Response,
  startUrl: URL,
  desc: Descriptor,
  body: ReadableStream<Uint8Array> | Uint8Array,
  signal: AbortSignal | undefined,
): Promise<void> {
  const minChunk = Number(started.headers.get("oci-chunk-min-length") ?? "0");
  let location = uploadLocation(ctx, started, startUrl);
  await discard(started);
  try {
    if (desc.size <= ctx.chunkSize && !(body instanceof Uint8Array)) {
      await finishUpload(ctx, location, desc, verifiedOnce(body, desc, ctx.hasher), signal);
      return;
    }
    if (desc.size <= ctx.chunkSize) {
      const bytes = body instanceof Uint8Array
        ? body
        : await readAllBounded(body, desc.size, `Blob ${desc.digest}`)
          .catch((err) => {
            throw isErrorCode(err, "ERR_SIZE_EXCEEDED")
              ? new SizeMismatchError(desc.digest, desc.size, desc.size + 1)
              : err;
          });
      await verifyBytes(bytes, desc);
      await finishUpload(ctx, location, desc, bytes, signal);
      return;
    }
    const chunk = Math.max(ctx.chunkSize, Number.isSafeInteger(minChunk) ? minChunk : 0);
    const source = body instanceof Uint8Array ? new Blob([body as Bytes]).stream() : body;
    const verified = verifiedOnce(source, desc, ctx.hasher).getReader();
    let offset = 0;
    let pending: Uint8Array[] = [];
    let pendingSize = 0;
    const flush = async (): Promise<void> => {
      if (pendingSize === 0) return;
      const data = new Uint8Array(pendingSize);
      let o = 0;
      for (const p of pending) {
        data.set(p, o);
        o += p.length;
      }
      pending = [];
      pendingSize = 0;
      const res = await ctx.client.send({
        method: "PATCH",
        url: location,
        headers: {
          "content-type": "application/octet-stream",
          "content-range": `${offset}-${offset + data.length - 1}`,
          "content-length": String(data.length),
        },
        body: data,
        scopes: ctx.scopes,
        idempotent: false,
        signal,
      });
      if (res.status !== 202) {
        throw await responseError(res, `Cannot upload a chunk of ${ctx.label(desc.digest)}`);
      }
      location = uploadLocation(ctx, res, location);
      await discard(res);
      offset += data.length;
    };
    try {
      for (;;) {
        const { done, value } = await verified.read();
        if (done) break;
        let v = value as Uint8Array;
        while (v.length > 0) {
          const take = Math.min(v.length, chunk - pendingSize);
          pending.push(v.subarray(0, take));
          pendingSize += take;
          v = v.subarray(take);
          if (pendingSize === chunk) await flush();
        }
      }
    } catch (err) {
      await verified.cancel(err).catch(() => {});
      throw err;
    }
    // The verifying stream only ends cleanly once size and digest have matched.
    await flush();
    await finishUpload(ctx, location, desc, new Uint8Array(0), signal);
  } catch (err) {
    await cancelUpload(ctx, location);
    throw err;
  }
}

export function uploadLocation(ctx: UploadContext, res: Response, requestUrl: URL): URL {
  const loc = res.headers.get("location");
  if (loc === null) {
    throw new RegistryError(
      `The registry started an upload for ${ctx.repository} without a Location header`,
      res.status,
    );
  }
  const url = new URL(loc, requestUrl);
  if (url.origin !== ctx.origin) {
    throw new RegistryError(
      `The registry sent an upload location on another origin (${url.origin}); refusing to upload there`,
      res.status,
    );
  }
  return url;
}

async function finishUpload(
  ctx: UploadContext,
  location: URL,
  desc: Descriptor,
  bytes: Uint8Array | ReadableStream<Uint8Array>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const url = new URL(location);
  url.searchParams.set("digest", desc.digest);
  const headers: Record<string, string> = {
    "content-type": "application/octet-stream",
    "content-length": String(bytes instanceof Uint8Array ? bytes.length : desc.size),
  };
  const res = await ctx.client.send({
    method: "PUT",
    url,
    headers,
    body: bytes,
    scopes: ctx.scopes,
    idempotent: false,
    signal,
  });
  if (res.status !== 201 && res.status !== 204 && res.status !== 200) {
    throw await responseError(res, `Cannot complete the upload of ${ctx.label(desc.digest)}`);
  }
  const served = res.headers.get("docker-content-digest");
  await discard(res);
  if (served !== null && served !== desc.digest) {
    throw new DigestMismatchError(desc.digest, served);
  }
}

export async function cancelUpload(ctx: UploadContext, location: URL): Promise<void> {
  try {
    const res = await ctx.client.send({
      method: "DELETE",
      url: location,
      scopes: ctx.scopes,
      idempotent: false,
    });
    await discard(res);
  } catch {
    // Best effort: an abandoned session expires on the registry.
  }
}
