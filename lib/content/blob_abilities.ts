/**
 * Optional blob abilities a store may have beyond the `Target` contract, found by
 * interface rather than by class: the size of content known only by digest, and taking over a
 * finished file whose bytes the caller has already verified (ranged reads are the contract's
 * `RangeFetcher`). A server of stored content (the embedded registry) uses them where a store has
 * them, and falls back to the Target contract where it can ({@linkcode readStoredRange}). Telling
 * a blob's size from its digest alone is beyond the Target contract, so a store served as a
 * registry needs {@linkcode BlobStatter}. A copy uses the last pair: a source that hands a blob
 * over unverified ({@linkcode UnverifiedFetcher}, a registry) and a store that receives it as a
 * file the runtime writes natively and checks it ({@linkcode FileReceiver}, a layout directory).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { checkRange, rangeOf } from "./range_stream.ts";
import { type ByteRange, type Fetcher, isRangeFetcher, type Op } from "./storage.ts";

/** Tells the size of stored content known only by its digest, without reading it. */
export interface BlobStatter {
  /**
   * The size of the content stored under `digest` (a symbolic link is followed), or `undefined`
   * when it is absent.
   * @throws {InvalidDigestError} ERR_INVALID_DIGEST for a malformed digest.
   */
  statBlob(digest: string, opts?: Op): Promise<number | undefined>;
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

/**
 * A blob's bytes as the source sent them, for a store that writes them to a file and verifies
 * the file ({@linkcode FileReceiver}): nothing here is checked yet, beyond a length announced as
 * `desc.size` (a source bounds the body to that, or checks it as it streams).
 */
export interface UnverifiedBlob {
  /** The bytes, not yet checked against the digest. */
  readonly body: ReadableStream<Bytes>;
  /**
   * Aborts when the source gives up on the transfer (its idle timeout, a cancel): a native
   * writer of `body` stops on it.
   */
  readonly signal?: AbortSignal;
  /** Tells the source that bytes arrived (restarts its idle timeout). */
  progressed(): void;
  /**
   * Ends the transfer: stops the source's idle timeout and returns the error to report for the
   * failure `err` (the source's timeout error when that is what ended it), or `undefined`.
   */
  settle(err?: unknown): unknown;
}

/** Hands out a blob's bytes unverified, for a {@linkcode FileReceiver} to verify. */
export interface UnverifiedFetcher {
  /**
   * The blob `desc` as the source sends it, unverified.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the announced length is not `desc.size`.
   */
  fetchUnverified(desc: Descriptor, opts?: Op): Promise<UnverifiedBlob>;
}

/** Options of {@linkcode FileReceiver.receiveFile}. */
export interface ReceiveFileOptions extends Op {
  /** Told the bytes written and checked so far, as the file grows. */
  onWritten?: (bytes: number) => void;
  /** Told once the whole body is written, before the file is checked (the source is done). */
  onReceived?: () => void;
  /**
   * Told once the whole file is written and checked, before it is flushed and moved into place:
   * what remains waits on the disk alone. The promise still settles only when the blob is in
   * place (or rejects when the flush or the move fails).
   */
  onChecked?: () => void;
}

/** Stores a blob from unverified bytes by way of a file the runtime writes natively. */
export interface FileReceiver {
  /** Whether the store's runtime writes the file natively (else streaming to `push` is as good). */
  readonly receivesFiles: boolean;
  /**
   * Writes `body` to a temporary file on the store's file system, reads the file (as it grows)
   * against `desc`'s size and digest, and only then moves it into place. On any failure the
   * temporary file is removed and the store is as it was.
   * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the bytes are not `desc.digest`'s.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when there are not `desc.size` of them.
   */
  receiveFile(
    desc: Descriptor,
    body: ReadableStream<Bytes>,
    opts?: ReceiveFileOptions,
  ): Promise<void>;
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
 * Streams `range` of `desc` out of any store: its `RangeFetcher`, else its verified `fetch`
 * stream cut to the range.
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
 * const text = await new Response(await readStoredRange(store, desc, { offset: 1, length: 1 })).text();
 * if (text !== "}") throw new Error(text);
 * ```
 * @param store The store.
 * @param desc The content.
 * @param range The bytes wanted.
 * @param opts Cancellation.
 * @returns The bytes.
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the range is not inside the content.
 */
export async function readStoredRange(
  store: Fetcher,
  desc: Descriptor,
  range: ByteRange,
  opts: Op = {},
): Promise<ReadableStream<Bytes>> {
  checkRange(desc, range);
  if (isRangeFetcher(store)) return await store.fetchRange(desc, range, opts);
  const whole = await store.fetch(desc, opts);
  if (range.offset === 0 && range.length === desc.size) return whole;
  return rangeOf(whole, range, desc.digest);
}

/**
 * Whether `store` has {@linkcode UnverifiedFetcher}.
 *
 * @example
 * ```ts
 * import { canFetchUnverified, MemoryStore } from "@ocisign/ocisign/content";
 * console.log(canFetchUnverified(new MemoryStore())); // false
 * ```
 * @param store Any store.
 * @returns Whether it hands out blobs unverified.
 */
export function canFetchUnverified<T extends object>(store: T): store is T & UnverifiedFetcher {
  return has(store, "fetchUnverified");
}

/**
 * Whether `store` has {@linkcode FileReceiver} and its runtime writes files natively.
 *
 * @example
 * ```ts
 * import { canReceiveFiles, MemoryStore } from "@ocisign/ocisign/content";
 * console.log(canReceiveFiles(new MemoryStore())); // false
 * ```
 * @param store Any store.
 * @returns Whether a blob is best given to it as a file.
 */
export function canReceiveFiles<T extends object>(store: T): store is T & FileReceiver {
  return has(store, "receiveFile") && (store as { receivesFiles?: unknown }).receivesFiles === true;
}
