/**
 * Deterministic gzip with fflate (pure JS: the same bytes on every runtime, unlike native zlib)
 * and streaming gunzip for reading base-image layers. Input is re-cut into fixed-size chunks
 * before deflate, so the compressed bytes do not depend on how the input happened to be chunked.
 *
 * @module
 */
import { Gunzip, Gzip } from "npm:fflate@0.8.3";
import type { Bytes } from "../_internal/bytes.ts";
import { BuildError, InvalidInputError } from "../errors.ts";
import { GZIP_OPTIONS, type GzipReply, type GzipRequest } from "./_gzip_protocol.ts";
import { Crc32 } from "../_internal/crc32.ts";

/** Size of the chunks fed to deflate. */
export const GZIP_CHUNK_BYTES = 64 * 1024;

/** Largest compressed slice fed to inflate at once, so that one step's output stays small. */
const GUNZIP_SLICE_BYTES = 16 * 1024;

/**
 * Re-cuts a byte stream into chunks of exactly `size` bytes (the last may be shorter).
 *
 * @example
 * ```ts
 * import { rechunk } from "./gzip.ts";
 * async function* src() { yield new Uint8Array(5); yield new Uint8Array(7); }
 * for await (const c of rechunk(src(), 4)) console.log(c.length); // 4, 4, 4
 * ```
 * @param source Input chunks.
 * @param size Chunk size.
 * @returns Fixed-size chunks.
 */
export async function* rechunk(
  source: AsyncIterable<Uint8Array>,
  size: number,
): AsyncGenerator<Bytes> {
  let buffer = new Uint8Array(size);
  let filled = 0;
  for await (const chunk of source) {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(size - filled, chunk.length - offset);
      buffer.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === size) {
        yield buffer;
        buffer = new Uint8Array(size);
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer.slice(0, filled);
}

/**
 * Gzips a byte stream deterministically (level 6, mtime 0, no file name). `onInput` sees every
 * uncompressed byte, so the caller can hash the diff_id as the data flows.
 *
 * @example
 * ```ts
 * import { gzipDeterministic } from "./gzip.ts";
 * async function* src() { yield new TextEncoder().encode("hello"); }
 * let n = 0;
 * for await (const c of gzipDeterministic(src())) n += c.length;
 * console.log(n > 0); // true
 * ```
 * @param source Uncompressed chunks.
 * @param onInput Called with each (re-cut) uncompressed chunk before it is compressed.
 * @param opts `worker: true` deflates in a Web Worker (the same bytes), so that reading, hashing
 *   and writing on this thread overlap with deflate on another core; worth it for large inputs.
 * @returns Compressed chunks.
 * @throws {BuildError} ERR_BUILD when the worker fails.
 */
export async function* gzipDeterministic(
  source: AsyncIterable<Uint8Array>,
  onInput?: (chunk: Bytes) => void,
  opts: { worker?: boolean } = {},
): AsyncGenerator<Bytes> {
  const worker = opts.worker ? await startWorker() : undefined;
  if (worker !== undefined) {
    yield* gzipInWorker(worker, source, onInput);
    return;
  }
  const out: Bytes[] = [];
  const gzip = new Gzip(GZIP_OPTIONS, (data) => {
    out.push(data);
  });
  for await (const chunk of rechunk(source, GZIP_CHUNK_BYTES)) {
    onInput?.(chunk);
    gzip.push(chunk, false);
    while (out.length > 0) yield out.shift()!;
  }
  gzip.push(new Uint8Array(0), true);
  while (out.length > 0) yield out.shift()!;
}

/** Set by `scripts/bun_compile.ts`: where a compiled binary keeps the worker's entry file. */
declare const OCISIGN_GZIP_WORKER: string | undefined;

const WORKER_URL = typeof OCISIGN_GZIP_WORKER === "string"
  ? OCISIGN_GZIP_WORKER
  : new URL("./_gzip_worker.ts", import.meta.url).href;

/** Chunks per message to the worker (fewer, larger messages: each one costs a clone). */
const CHUNKS_PER_MESSAGE = 4;

/** Messages sent to the worker and not yet answered, at most (2 × 4 × 64 KiB in flight). */
const MAX_IN_FLIGHT = 2;

/**
 * A gzip worker once it has loaded, or undefined where none can start (no Worker, or a runtime
 * that cannot load the worker's imports, such as Bun running the sources without a bundle):
 * the caller then deflates on its own thread.
 */
async function startWorker(): Promise<Worker | undefined> {
  if (typeof Worker !== "function") return undefined;
  let worker: Worker;
  try {
    worker = new Worker(WORKER_URL, { type: "module" });
  } catch {
    return undefined;
  }
  const ready = await new Promise<boolean>((resolve) => {
    worker.onmessage = (event) => resolve(event.data === "ready");
    worker.onerror = (event) => {
      event.preventDefault();
      resolve(false);
    };
  });
  if (!ready) worker.terminate();
  return ready ? worker : undefined;
}

async function* gzipInWorker(
  worker: Worker,
  source: AsyncIterable<Uint8Array>,
  onInput?: (chunk: Bytes) => void,
): AsyncGenerator<Bytes> {
  const replies: GzipReply[] = [];
  let failure: string | undefined;
  let wake: (() => void) | undefined;
  worker.onmessage = (event: MessageEvent<GzipReply>) => {
    replies.push(event.data);
    wake?.();
  };
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    failure = event.message;
    wake?.();
  };
  const reply = async (): Promise<Bytes[]> => {
    while (replies.length === 0 && failure === undefined) {
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    const next = replies.shift();
    failure ??= next?.error;
    if (failure !== undefined) throw new BuildError(`Cannot gzip the layer: ${failure}`);
    return next!.parts;
  };
  // The worker deflates; the gzip header, CRC-32 and length are done here, where the
  // thread is mostly waiting (the same bytes as fflate's Gzip: see `gzipHeader`).
  const crc = new Crc32();
  let length = 0;
  let batch: Bytes[] = [];
  const send = (final: boolean): void => {
    worker.postMessage({ chunks: batch, final } satisfies GzipRequest, batch.map((c) => c.buffer));
    batch = [];
  };
  let inFlight = 0;
  try {
    yield gzipHeader();
    for await (const chunk of rechunk(source, GZIP_CHUNK_BYTES)) {
      onInput?.(chunk);
      crc.update(chunk);
      length += chunk.length;
      batch.push(chunk);
      if (batch.length < CHUNKS_PER_MESSAGE) continue;
      send(false);
      inFlight++;
      while (inFlight >= MAX_IN_FLIGHT || (inFlight > 0 && replies.length > 0)) {
        inFlight--;
        yield* await reply();
      }
    }
    send(true);
    for (inFlight++; inFlight > 0; inFlight--) yield* await reply();
    yield gzipTrailer(crc.value, length);
  } finally {
    worker.terminate();
  }
}

/** The 10-byte header fflate's Gzip writes with {@linkcode GZIP_OPTIONS}: no mtime, no name. */
function gzipHeader(): Bytes {
  // ID1 ID2, deflate, no flags, mtime 0, XFL 0 (level 2 to 8), OS 3 (Unix).
  return new Uint8Array([31, 139, 8, 0, 0, 0, 0, 0, 0, 3]);
}

/** The 8-byte trailer: CRC-32 and input length modulo 2^32, little-endian. */
function gzipTrailer(crc: number, length: number): Bytes {
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc, true);
  view.setUint32(4, length % 2 ** 32, true);
  return trailer;
}

/**
 * Decompresses a gzip stream.
 *
 * @example
 * ```ts
 * import { gunzipStream, gzipDeterministic } from "./gzip.ts";
 * async function* src() { yield new TextEncoder().encode("hi"); }
 * const parts: Uint8Array<ArrayBuffer>[] = [];
 * for await (const c of gzipDeterministic(src())) parts.push(c);
 * const text = await new Response(gunzipStream(new Blob(parts).stream())).text();
 * console.log(text); // "hi"
 * ```
 * @param stream Compressed bytes.
 * @returns Uncompressed bytes; the stream errors with `InvalidInputError` when the data is not gzip.
 */
export function gunzipStream(stream: ReadableStream<Uint8Array>): ReadableStream<Bytes> {
  const reader = stream.getReader();
  const pending: Bytes[] = [];
  let finished = false;
  let input: Uint8Array = new Uint8Array(0);
  const gunzip = new Gunzip((data, final) => {
    if (data.length > 0) pending.push(data);
    if (final) finished = true;
  });
  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      while (pending.length === 0) {
        if (finished) {
          controller.close();
          return;
        }
        let done = false;
        if (input.length === 0) {
          const read = await reader.read();
          done = read.done;
          input = read.value ?? new Uint8Array(0);
        }
        // Small slices bound the output of one push (deflate expands at most ~1032 times).
        const slice = input.subarray(0, GUNZIP_SLICE_BYTES);
        input = input.subarray(slice.length);
        try {
          if (done) {
            gunzip.push(new Uint8Array(0), true);
            finished = true;
          } else gunzip.push(slice, false);
        } catch (err) {
          throw new InvalidInputError(`Cannot decompress gzip data: ${(err as Error).message}`, {
            cause: err,
          });
        }
      }
      controller.enqueue(pending.shift()!);
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason);
    },
  });
}
