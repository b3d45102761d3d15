/**
 * Reads content fully into memory, bounded and verified against its descriptor.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { parseDigest } from "../digest/digest.ts";
import { digestBytes } from "../digest/digest_bytes.ts";
import type { HasherFactory } from "../digest/hasher.ts";
import { isVerifiedStream } from "../digest/verify_stream.ts";
import { DigestMismatchError, SizeExceededError, SizeMismatchError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { checkAborted, readBounded } from "./_streams.ts";
import type { Fetcher, Op } from "./storage.ts";

/** Options for {@linkcode fetchAll}. */
export interface FetchAllOptions {
  /** Largest size accepted (default 4 MiB, the manifest limit). */
  maxBytes?: number;
  /** Cancels the read. */
  signal?: AbortSignal;
  /** Hashes with this factory instead of WebCrypto's one-shot digest. */
  hasher?: HasherFactory;
}

/**
 * Verifies that in-memory bytes match a descriptor's size and digest.
 *
 * @example
 * ```ts
 * import { verifyBytes } from "./fetch_all.ts";
 * await verifyBytes(new TextEncoder().encode("{}"), {
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * });
 * ```
 * @param bytes The content.
 * @param desc What it must match.
 * @param hasher Optional incremental hasher factory (default: WebCrypto).
 * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the length differs.
 * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the digest differs.
 */
export async function verifyBytes(
  bytes: Uint8Array,
  desc: Pick<Descriptor, "digest" | "size">,
  hasher?: HasherFactory,
): Promise<void> {
  const { algorithm, hex } = parseDigest(desc.digest);
  if (bytes.length !== desc.size) throw new SizeMismatchError(desc.digest, desc.size, bytes.length);
  let actual: string;
  if (hasher) {
    const h = hasher(algorithm);
    h.update(bytes);
    actual = `${algorithm}:${h.digestHex()}`;
  } else {
    actual = await digestBytes(bytes, algorithm);
  }
  if (actual !== `${algorithm}:${hex}`) throw new DigestMismatchError(desc.digest, actual);
}

/**
 * A fetcher that reads small content whole, checked against its descriptor (size and digest),
 * without a stream: a layout directory reads the file at once. {@linkcode fetchAll} uses it
 * where a fetcher has it (start-up time: Deno loads its web streams on first use).
 */
export interface WholeFetcher {
  /**
   * Reads the content whole; call it only within a size limit already checked.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the content is longer or shorter.
   * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the digest differs.
   */
  fetchWhole(desc: Descriptor, opts?: Op): Promise<Bytes>;
}

/**
 * Whether `fetcher` has {@linkcode WholeFetcher}.
 *
 * @example
 * ```ts
 * import { canFetchWhole, MemoryStore } from "@ocisign/ocisign/content";
 * console.log(canFetchWhole(new MemoryStore())); // false
 * ```
 * @param fetcher Any fetcher.
 * @returns Whether it reads small content whole.
 */
export function canFetchWhole(fetcher: Fetcher): fetcher is Fetcher & WholeFetcher {
  return typeof (fetcher as Partial<WholeFetcher>).fetchWhole === "function";
}

/**
 * Fetches content into memory, refusing anything whose descriptor declares more than `maxBytes`
 * before reading, stopping as soon as more bytes than `desc.size` arrive, and verifying size and
 * digest at the end (by the fetched stream itself when it is a `VerifiedStream`).
 *
 * @example
 * ```ts
 * import { fetchAll } from "./fetch_all.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * const store = new MemoryStore();
 * const desc = {
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * };
 * await store.push(desc, new TextEncoder().encode("{}"));
 * console.log(new TextDecoder().decode(await fetchAll(store, desc))); // "{}"
 * ```
 * @param fetcher Where to read from.
 * @param desc What to read.
 * @param opts Limit, cancellation and hasher.
 * @returns The verified bytes.
 * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when `desc.size > maxBytes`.
 * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the content is longer or shorter.
 * @throws {DigestMismatchError} ERR_DIGEST_MISMATCH when the digest differs.
 */
export async function fetchAll(
  fetcher: Fetcher,
  desc: Descriptor,
  opts: FetchAllOptions = {},
): Promise<Bytes> {
  const maxBytes = opts.maxBytes ?? MAX_MANIFEST_BYTES;
  parseDigest(desc.digest);
  if (!Number.isSafeInteger(desc.size) || desc.size < 0) {
    throw new SizeMismatchError(desc.digest, desc.size, 0);
  }
  if (desc.size > maxBytes) {
    throw new SizeExceededError(`Content ${desc.digest} (${desc.mediaType})`, desc.size, maxBytes);
  }
  checkAborted(opts.signal, `Fetching ${desc.digest}`);
  if (canFetchWhole(fetcher)) {
    return await fetcher.fetchWhole(desc, opts.signal ? { signal: opts.signal } : {});
  }
  const stream = await fetcher.fetch(desc, opts.signal ? { signal: opts.signal } : {});
  const bytes = await readBounded(stream, {
    limit: maxBytes,
    expected: desc,
    what: `Content ${desc.digest}`,
    signal: opts.signal,
  });
  // A verified stream (a registry's or a layout's) ended cleanly, so it matched: hash once.
  if (!isVerifiedStream(stream, desc)) await verifyBytes(bytes, desc, opts.hasher);
  return bytes;
}
