/**
 * An in-memory content store: a {@linkcode GraphTarget} for tests, builds and staging.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { MAX_MANIFEST_BYTES } from "../_internal/limits.ts";
import { isDigest, parseDigest } from "../digest/digest.ts";
import { InvalidReferenceError, NotFoundError, SizeMismatchError } from "../errors.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { isManifestMediaType } from "../oci/media_types.ts";
import { GraphIndex } from "./_graph_index.ts";
import { LayoutIndex } from "./_layout_index.ts";
import { bytesStream, checkAborted, readBounded } from "./_streams.ts";
import { verifyBytes } from "./fetch_all.ts";
import { parseManifest } from "./parse_manifest.ts";
import type { BlobStatter } from "./blob_abilities.ts";
import { checkRange } from "./range_stream.ts";
import type {
  ByteRange,
  Deleter,
  GraphTarget,
  Op,
  RangeFetcher,
  TagLister,
  Untagger,
} from "./storage.ts";

const WHERE = "the memory store";

/**
 * Keeps content, tags and referrers in memory. Pushes are verified against their descriptor
 * (size and digest) before they become visible; manifests are also parsed (at most 4 MiB) and
 * recorded in an in-memory `index.json`, so tags, resolving and referrers behave exactly as in a
 * layout (the same index serves both). Pushing content that is already present is a no-op after
 * verification.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "./memory_store.ts";
 * const store = new MemoryStore();
 * const config = {
 *   mediaType: "application/vnd.oci.empty.v1+json",
 *   digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
 *   size: 2,
 * };
 * await store.push(config, new TextEncoder().encode("{}"));
 * console.log(await store.exists(config)); // true
 * ```
 */
export class MemoryStore
  implements GraphTarget, TagLister, Deleter, Untagger, RangeFetcher, BlobStatter {
  #blobs = new Map<string, Bytes>();
  #index = LayoutIndex.empty();
  #graph = new GraphIndex({
    fetch: (desc, opts) => this.fetch(desc, opts),
    blobSize: (digest) => Promise.resolve(this.#blobs.get(digest)?.length),
  }, WHERE);

  /** Streams stored content. @throws {NotFoundError} ERR_NOT_FOUND when absent. */
  fetch(desc: Descriptor, opts: Op = {}): Promise<ReadableStream<Bytes>> {
    checkAborted(opts.signal);
    return Promise.resolve(bytesStream(this.#get(desc)));
  }

  /**
   * Streams part of stored content.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {InvalidInputError} ERR_INVALID_INPUT when the range is outside `desc.size`.
   */
  fetchRange(desc: Descriptor, range: ByteRange, opts: Op = {}): Promise<ReadableStream<Bytes>> {
    checkAborted(opts.signal);
    try {
      checkRange(desc, range);
      const bytes = this.#get(desc);
      return Promise.resolve(
        bytesStream(bytes.subarray(range.offset, range.offset + range.length)),
      );
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The size of the content stored under `digest`, or `undefined` when it is absent.
   * @throws {InvalidDigestError} ERR_INVALID_DIGEST for a malformed digest.
   */
  statBlob(digest: string, opts: Op = {}): Promise<number | undefined> {
    checkAborted(opts.signal);
    parseDigest(digest);
    return Promise.resolve(this.#blobs.get(digest)?.length);
  }

  /** Whether content with this digest (and size) is stored. */
  exists(desc: Descriptor, opts: Op = {}): Promise<boolean> {
    checkAborted(opts.signal);
    return Promise.resolve(this.#blobs.get(desc.digest)?.length === desc.size);
  }

  /**
   * Stores content after verifying its size and digest; manifests (by media type) are parsed and
   * validated too.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH, {DigestMismatchError} ERR_DIGEST_MISMATCH,
   *   {InvalidManifestError} ERR_INVALID_MANIFEST, {SizeExceededError} ERR_SIZE_EXCEEDED.
   */
  async push(
    desc: Descriptor,
    body: ReadableStream<Uint8Array> | Uint8Array,
    opts: Op = {},
  ): Promise<void> {
    parseDigest(desc.digest);
    const isManifest = isManifestMediaType(desc.mediaType);
    const limit = isManifest ? MAX_MANIFEST_BYTES : Number.MAX_SAFE_INTEGER;
    const bytes = await readBounded(body, {
      limit,
      expected: desc,
      what: `Content ${desc.digest}`,
      signal: opts.signal,
    });
    await verifyBytes(bytes, desc);
    const parsed = isManifest
      ? parseManifest(bytes, { mediaType: desc.mediaType, name: desc.digest })
      : undefined;
    checkAborted(opts.signal);
    if (!this.#blobs.has(desc.digest)) this.#blobs.set(desc.digest, bytes);
    if (parsed) {
      this.#graph.remember(desc.digest, parsed);
      this.#index.addUntagged(desc);
    }
  }

  /**
   * Resolves a tag or a manifest digest (a config or layer digest is not found), as a layout
   * does.
   * @throws {NotFoundError} ERR_NOT_FOUND when unknown.
   */
  resolve(reference: string, opts: Op = {}): Promise<Descriptor> {
    return this.#graph.resolve(this.#index, reference, opts);
  }

  /**
   * Points a tag at stored content.
   * @throws {NotFoundError} ERR_NOT_FOUND when the content is not stored.
   * @throws {InvalidReferenceError} ERR_INVALID_REFERENCE for an empty tag or a different digest.
   */
  tag(desc: Descriptor, reference: string, opts: Op = {}): Promise<void> {
    checkAborted(opts.signal);
    if (reference === "") {
      return Promise.reject(new InvalidReferenceError(reference, "a tag must not be empty"));
    }
    if (isDigest(reference) && reference !== desc.digest) {
      return Promise.reject(
        new InvalidReferenceError(reference, `cannot tag ${desc.digest} with another digest`),
      );
    }
    try {
      this.#get(desc);
    } catch (err) {
      return Promise.reject(err);
    }
    if (isDigest(reference)) this.#index.addUntagged(desc);
    else this.#index.setTag(desc, reference);
    return Promise.resolve();
  }

  /**
   * Removes a tag; the manifest it named stays.
   * @throws {NotFoundError} ERR_NOT_FOUND when there is no such tag.
   */
  untag(tag: string, opts: Op = {}): Promise<void> {
    checkAborted(opts.signal);
    if (!this.#index.removeTag(tag)) {
      return Promise.reject(new NotFoundError(`Tag ${tag} not found in ${WHERE}`));
    }
    return Promise.resolve();
  }

  /** Yields every tag in lexical order. */
  async *tags(opts: Op = {}): AsyncIterable<string> {
    checkAborted(opts.signal);
    for (const t of this.#index.tags()) yield t;
  }

  /**
   * Yields stored manifests (and those inside stored indexes) whose `subject` has
   * `subject.digest`, filtered by `artifactType`, as a layout does.
   */
  referrers(
    subject: Descriptor,
    opts: Op & { artifactType?: string } = {},
  ): AsyncIterable<Descriptor> {
    return this.#graph.referrers(this.#index, subject, opts);
  }

  /**
   * Removes content and every tag pointing at it.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   */
  delete(desc: Descriptor, opts: Op = {}): Promise<void> {
    checkAborted(opts.signal);
    try {
      this.#get(desc);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#blobs.delete(desc.digest);
    this.#index.removeDigest(desc.digest);
    this.#graph.forget(desc.digest);
    return Promise.resolve();
  }

  #get(desc: Descriptor): Bytes {
    const bytes = this.#blobs.get(desc.digest);
    if (!bytes) throw new NotFoundError(`Content ${desc.digest} not found in ${WHERE}`);
    if (bytes.length !== desc.size) {
      throw new SizeMismatchError(desc.digest, desc.size, bytes.length);
    }
    return bytes;
  }
}
