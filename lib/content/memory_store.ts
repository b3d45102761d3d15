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
import { bytesStream, checkAborted, readBounded } from "./_streams.ts";
import { verifyBytes } from "./fetch_all.ts";
import { type ParsedManifest, parseManifest, referrerDescriptor } from "./parse_manifest.ts";
import type { Deleter, GraphTarget, Op, TagLister } from "./storage.ts";

interface Entry {
  desc: Descriptor;
  bytes: Bytes;
  manifest?: ParsedManifest;
}

function plain(desc: Descriptor): Descriptor {
  return { mediaType: desc.mediaType, digest: desc.digest, size: desc.size };
}

/**
 * Keeps content, tags and referrers in memory. Pushes are verified against their descriptor
 * (size and digest) before they become visible; manifests are also parsed (at most 4 MiB) so that
 * referrers can be listed by scanning stored manifests for a `subject`. Pushing content that is
 * already present is a no-op after verification.
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
export class MemoryStore implements GraphTarget, TagLister, Deleter {
  #blobs = new Map<string, Entry>();
  #tags = new Map<string, Descriptor>();

  /** Streams stored content. @throws {NotFoundError} ERR_NOT_FOUND when absent. */
  fetch(desc: Descriptor, opts: Op = {}): Promise<ReadableStream<Bytes>> {
    checkAborted(opts.signal);
    const entry = this.#get(desc);
    return Promise.resolve(bytesStream(entry.bytes));
  }

  /** Whether content with this digest (and size) is stored. */
  exists(desc: Descriptor, opts: Op = {}): Promise<boolean> {
    checkAborted(opts.signal);
    const entry = this.#blobs.get(desc.digest);
    return Promise.resolve(entry !== undefined && entry.bytes.length === desc.size);
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
    const entry: Entry = { desc: { ...desc }, bytes };
    if (isManifest) {
      entry.manifest = parseManifest(bytes, { mediaType: desc.mediaType, name: desc.digest });
    }
    checkAborted(opts.signal);
    if (!this.#blobs.has(desc.digest)) this.#blobs.set(desc.digest, entry);
  }

  /**
   * Resolves a tag or a digest.
   * @throws {NotFoundError} ERR_NOT_FOUND when unknown.
   */
  resolve(reference: string, opts: Op = {}): Promise<Descriptor> {
    checkAborted(opts.signal);
    const tagged = this.#tags.get(reference);
    if (tagged) return Promise.resolve({ ...tagged });
    if (isDigest(reference)) {
      const entry = this.#blobs.get(reference);
      if (entry) return Promise.resolve(plain(entry.desc));
    }
    return Promise.reject(
      new NotFoundError(`Reference ${reference} not found in the memory store`),
    );
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
    if (!isDigest(reference)) this.#tags.set(reference, { ...desc });
    return Promise.resolve();
  }

  /** Yields every tag in lexical order. */
  async *tags(opts: Op = {}): AsyncIterable<string> {
    checkAborted(opts.signal);
    const sorted = [...this.#tags.keys()].sort();
    for (const t of sorted) yield t;
  }

  /** Yields manifests whose `subject` has `subject.digest`, filtered by `artifactType`. */
  async *referrers(
    subject: Descriptor,
    opts: Op & { artifactType?: string } = {},
  ): AsyncIterable<Descriptor> {
    checkAborted(opts.signal);
    for (const [digest, entry] of this.#blobs) {
      const m = entry.manifest;
      if (!m || m.json.subject?.digest !== subject.digest) continue;
      const desc = referrerDescriptor(m, digest);
      if (opts.artifactType !== undefined && desc.artifactType !== opts.artifactType) continue;
      yield desc;
    }
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
    for (const [tag, d] of this.#tags) if (d.digest === desc.digest) this.#tags.delete(tag);
    return Promise.resolve();
  }

  #get(desc: Descriptor): Entry {
    const entry = this.#blobs.get(desc.digest);
    if (!entry) throw new NotFoundError(`Content ${desc.digest} not found in the memory store`);
    if (entry.bytes.length !== desc.size) {
      throw new SizeMismatchError(desc.digest, desc.size, entry.bytes.length);
    }
    return entry;
  }
}
