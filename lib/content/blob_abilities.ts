/**
 * Optional blob abilities a store may have beyond the `Target` contract, found by
 * interface rather than by class: the size of content known only by digest, ranged reads, and
 * taking over a finished file whose bytes the caller has already verified. A server of stored
 * content (the embedded registry) uses them where a store has them, and falls back to the Target
 * contract where it has not ({@linkcode storedSize}, {@linkcode readStoredRange}), so it works
 * over any store.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { isErrorCode } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import type { Fetcher, Op, Resolver } from "./storage.ts";

/** Tells the size of stored content known only by its digest, without reading it. */
export interface BlobStatter {
  /**
   * The size of the content stored under `digest` (a symbolic link is followed), or `undefined`
   * when it is absent.
   * @throws {InvalidDigestError} ERR_INVALID_DIGEST for a malformed digest.
   */
  statBlob(digest: string, opts?: Op): Promise<number | undefined>;
}

/** Reads a byte range of stored content. */
export interface RangeReader {
  /**
   * Streams `length` bytes of the content `desc` from `offset`, as stored. A part of a blob
   * cannot be checked against its digest: the bytes were verified when they were stored, and the
   * reader checks the whole it assembles.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the stored content has another size.
   * @throws {RangeError} when the range is not inside the content.
   */
  readRange(
    desc: Descriptor,
    offset: number,
    length: number,
    opts?: Op,
  ): Promise<ReadableStream<Bytes>>;
}

/** Takes over a finished file as content, moving it rather than copying it. */
export interface FileIngester {
  /**
   * Makes the file at `path` the blob `desc`. The caller has verified the file's bytes against
   * `desc.digest` as they were written (an upload hashed as it arrived); the store checks the
   * size, moves the file into place (it is gone from `path` afterwards) and does not read it.
   * Only for blobs: manifests go through `push`, which parses and records them.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the file is not `desc.size` bytes.
   * @throws {TypeError} for a manifest media type.
   */
  ingestVerifiedFile(desc: Descriptor, path: string, opts?: Op): Promise<void>;
}

function has<K extends string>(store: object, method: K): boolean {
  return typeof (store as Record<string, unknown>)[method] === "function";
}

/**
 * Whether `store` has {@linkcode BlobStatter}.
 *
 * @example
 * ```ts
 * import { canStatBlobs, MemoryStore } from "@ocisign/ocisign/content";
 * console.log(canStatBlobs(new MemoryStore())); // false
 * ```
 * @param store Any store.
 * @returns Whether it can tell a blob's size by digest.
 */
export function canStatBlobs<T extends object>(store: T): store is T & BlobStatter {
  return has(store, "statBlob");
}

/**
 * Whether `store` has {@linkcode RangeReader}.
 *
 * @example
 * ```ts
 * import { canReadRanges, MemoryStore } from "@ocisign/ocisign/content";
 * console.log(canReadRanges(new MemoryStore())); // false
 * ```
 * @param store Any store.
 * @returns Whether it can read a byte range.
 */
export function canReadRanges<T extends object>(store: T): store is T & RangeReader {
  return has(store, "readRange");
}

/**
 * Whether `store` has {@linkcode FileIngester}.
 *
 * @example
 * ```ts
 * import { canIngestFiles, MemoryStore } from "@ocisign/ocisign/content";
 * console.log(canIngestFiles(new MemoryStore())); // false
 * ```
 * @param store Any store.
 * @returns Whether it can take over a verified file.
 */
export function canIngestFiles<T extends object>(store: T): store is T & FileIngester {
  return has(store, "ingestVerifiedFile");
}

/**
 * The size of the content stored under `digest` in any store: its {@linkcode BlobStatter}, else
 * what `resolve(digest)` answers.
 *
 * @example
 * ```ts
 * import { MemoryStore, storedSize } from "@ocisign/ocisign/content";
 * const store = new MemoryStore();
 * const empty = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
 * await store.push({ mediaType: "application/vnd.oci.empty.v1+json", digest: empty, size: 2 }, new TextEncoder().encode("{}"));
 * if ((await storedSize(store, empty)) !== 2) throw new Error("size");
 * ```
 * @param store The store.
 * @param digest The content's digest.
 * @param opts Cancellation.
 * @returns The size, or `undefined` when the store does not hold it.
 */
export async function storedSize(
  store: Resolver,
  digest: string,
  opts: Op = {},
): Promise<number | undefined> {
  if (canStatBlobs(store)) return await store.statBlob(digest, opts);
  try {
    return (await store.resolve(digest, opts)).size;
  } catch (err) {
    if (isErrorCode(err, "ERR_NOT_FOUND")) return undefined;
    throw err;
  }
}

/**
 * Streams `length` bytes of `desc` from `offset` out of any store: its {@linkcode RangeReader},
 * else its verified `fetch` stream cut to the range.
 *
 * @example
 * ```ts
 * import { MemoryStore, readStoredRange } from "@ocisign/ocisign/content";
 * const store = new MemoryStore();
 * const desc = {
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * };
 * await store.push(desc, new TextEncoder().encode("{}"));
 * const text = await new Response(await readStoredRange(store, desc, 1, 1)).text();
 * if (text !== "}") throw new Error(text);
 * ```
 * @param store The store.
 * @param desc The content.
 * @param offset First byte.
 * @param length Number of bytes.
 * @param opts Cancellation.
 * @returns The bytes.
 * @throws {RangeError} when the range is not inside the content.
 */
export async function readStoredRange(
  store: Fetcher,
  desc: Descriptor,
  offset: number,
  length: number,
  opts: Op = {},
): Promise<ReadableStream<Bytes>> {
  checkRange(desc, offset, length);
  if (canReadRanges(store)) return await store.readRange(desc, offset, length, opts);
  const whole = await store.fetch(desc, opts);
  if (offset === 0 && length === desc.size) return whole;
  return cut(whole, offset, length);
}

/**
 * Checks that `offset .. offset+length` lies inside the content, for {@linkcode RangeReader}s.
 *
 * @example
 * ```ts
 * import { checkRange } from "@ocisign/ocisign/content";
 * checkRange({ mediaType: "application/octet-stream", digest: "sha256:" + "0".repeat(64), size: 10 }, 2, 8);
 * ```
 * @param desc The content.
 * @param offset First byte.
 * @param length Number of bytes.
 * @throws {RangeError} when the range is not inside the content.
 */
export function checkRange(desc: Descriptor, offset: number, length: number): void {
  if (
    !Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 ||
    offset + length > desc.size
  ) {
    throw new RangeError(
      `Bytes ${offset} to ${
        offset + length
      } are not inside the ${desc.size} bytes of ${desc.digest}`,
    );
  }
}

/** The bytes `offset .. offset+length-1` of a stream, which is cancelled after them. */
function cut(
  source: ReadableStream<Bytes>,
  offset: number,
  length: number,
): ReadableStream<Bytes> {
  const reader = source.getReader();
  let position = 0;
  return new ReadableStream<Bytes>({
    async pull(controller): Promise<void> {
      const end = offset + length;
      while (position < end) {
        const { done, value } = await reader.read();
        if (done) break;
        const start = position;
        position += value.length;
        if (position <= offset) continue;
        controller.enqueue(value.subarray(Math.max(0, offset - start), end - start));
        if (position < end) return;
      }
      controller.close();
      await reader.cancel().catch(() => {});
    },
    async cancel(reason): Promise<void> {
      await reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}
