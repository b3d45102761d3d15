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
import type { FileBody } from "../content/fs.ts";
import type { HttpClient, ReopenableBody } from "./http_client.ts";
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
  /** The client's idle timeout in milliseconds: sizes the slices of a natively sent body. */
  timeoutMs: number;
}

/** The first slice of a natively sent body, and the smallest: its time tells the speed. */
const FIRST_SLICE = 1024 * 1024;
/** Later slices are sized to take about this fraction of the idle timeout at the speed seen. */
const SLICE_SHARE_OF_TIMEOUT = 1 / 4;
/** Largest slice sent from memory (where only a file's tail is sent natively). */
const MAX_MEMORY_SLICE = 8 * 1024 * 1024;

export async function uploadToSession(
  ctx: UploadContext,
  started: Response,
  startUrl: URL,
  desc: Descriptor,
  body: ReadableStream<Uint8Array> | Uint8Array,
  signal: AbortSignal | undefined,
): Promise<void> {
  const minChunk = chunkMinimum(started);
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
    const chunk = Math.max(ctx.chunkSize, minChunk);
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
      location = await sendChunk(ctx, location, desc, data, offset, data.length, signal);
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

/**
 * Uploads `body`, which is not read here (a file the runtime sends natively), into an open
 * session while `check` reads the same content again, and commits it (`PUT ?digest=`) only once
 * `check` has passed. The body goes in `PATCH` slices: a first small one, then slices sized to
 * take a quarter of the idle timeout at the speed seen, so that a silent registry is still noticed
 * within about the timeout (one slice is one wait). A runtime that sends only a file's tail
 * natively (Deno) sends the slices before it from memory, and the tail once it fits in one slice.
 * When `check` rejects, the upload is stopped and the session cancelled, so nothing is stored
 * under `desc.digest`, and its error is thrown.
 */
export async function uploadChecked(
  ctx: UploadContext,
  started: Response,
  startUrl: URL,
  desc: Descriptor,
  body: FileBody,
  check: (signal: AbortSignal) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  const minChunk = chunkMinimum(started);
  let location = uploadLocation(ctx, started, startUrl);
  await discard(started);
  const stop = new AbortController();
  const both = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  let checkError: unknown;
  const checking = Promise.resolve().then(() => check(both)).then(() => {}, (err) => {
    // A check stopped because the upload failed (or the caller cancelled) is not the failure.
    if (isErrorCode(err, "ERR_ABORTED") && both.aborted) return;
    checkError = err ?? new Error("The content check failed");
    stop.abort();
  });
  try {
    let offset = 0;
    let slice = Math.max(FIRST_SLICE, minChunk);
    while (offset < desc.size) {
      const start = offset;
      const native = body.ranges || desc.size - start <= slice;
      const end = native ? Math.min(desc.size, start + slice) : start + slice;
      const began = Date.now();
      const data = native
        ? { open: () => body.open(start, end) }
        : await readSlice(body, start, Math.min(end, start + MAX_MEMORY_SLICE), desc);
      const length = data instanceof Uint8Array ? data.length : end - start;
      location = await sendChunk(ctx, location, desc, data, start, length, both);
      const bytesPerMs = length / Math.max(1, Date.now() - began);
      offset = start + length;
      slice = Math.max(
        FIRST_SLICE,
        minChunk,
        Math.floor(bytesPerMs * ctx.timeoutMs * SLICE_SHARE_OF_TIMEOUT),
      );
    }
  } catch (err) {
    stop.abort();
    await checking;
    await cancelUpload(ctx, location);
    throw checkError ?? err;
  }
  await checking;
  try {
    if (checkError !== undefined) throw checkError;
    await finishUpload(ctx, location, desc, new Uint8Array(0), signal);
  } catch (err) {
    await cancelUpload(ctx, location);
    throw err;
  }
}

/** The bytes `[start, end)` of a file that is sent natively only from an offset to its end. */
async function readSlice(
  body: FileBody,
  start: number,
  end: number,
  desc: Descriptor,
): Promise<Bytes> {
  const source = await body.open(start, desc.size);
  const stream = source instanceof ReadableStream ? source : source.stream();
  const out = new Uint8Array(end - start);
  let filled = 0;
  const reader = stream.getReader();
  try {
    while (filled < out.length) {
      const { done, value } = await reader.read();
      if (done) throw new SizeMismatchError(desc.digest, desc.size, start + filled);
      const take = Math.min(value.length, out.length - filled);
      out.set(value.subarray(0, take), filled);
      filled += take;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return out;
}

/** The registry's `OCI-Chunk-Min-Length` (0 when absent or not a size). */
function chunkMinimum(started: Response): number {
  const min = Number(started.headers.get("oci-chunk-min-length") ?? "0");
  return Number.isSafeInteger(min) && min > 0 ? min : 0;
}

/** `PATCH`es `data` at `offset` of the session; returns the session's next location. */
async function sendChunk(
  ctx: UploadContext,
  location: URL,
  desc: Descriptor,
  data: Uint8Array | ReopenableBody,
  offset: number,
  length: number,
  signal: AbortSignal | undefined,
): Promise<URL> {
  const res = await ctx.client.send({
    method: "PATCH",
    url: location,
    headers: {
      "content-type": "application/octet-stream",
      "content-range": `${offset}-${offset + length - 1}`,
      "content-length": String(length),
    },
    body: data,
    scopes: ctx.scopes,
    idempotent: false,
    signal,
  });
  if (res.status !== 202) {
    throw await responseError(res, `Cannot upload a chunk of ${ctx.label(desc.digest)}`);
  }
  const next = uploadLocation(ctx, res, location);
  await discard(res);
  return next;
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
