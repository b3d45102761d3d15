/**
 * The content model every backend implements (layout directory, layout tar, registry repository,
 * memory), after oras-go's interfaces, made async and cancellable. `copy`, `sign`, `verify`,
 * `list` and `build` are written once against these.
 *
 * Contract for implementers: `fetch` returns a stream that errors (with
 * `DigestMismatchError`/`SizeMismatchError`) if the bytes do not match `desc.size` and
 * `desc.digest`; `push` verifies the body against `desc` before the content becomes visible.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { Descriptor } from "../oci/descriptor.ts";

/** Options every operation accepts. */
export interface Op {
  /** Cancels the operation. */
  signal?: AbortSignal;
}

/** Reads content by descriptor. */
export interface Fetcher {
  /**
   * Streams the content; the stream errors if size or digest do not match.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   */
  fetch(desc: Descriptor, opts?: Op): Promise<ReadableStream<Bytes>>;
}

/** Writes content by descriptor. */
export interface Pusher {
  /** Stores content, verified against `desc` before it becomes visible. */
  push(desc: Descriptor, body: ReadableStream<Uint8Array> | Uint8Array, opts?: Op): Promise<void>;
}

/** Fetch plus existence checks. */
export interface ReadOnlyStorage extends Fetcher {
  /** Whether the content is present. */
  exists(desc: Descriptor, opts?: Op): Promise<boolean>;
}

/** Read-write content storage. */
export interface Storage extends ReadOnlyStorage, Pusher {}

/** Resolves a tag or digest to a descriptor. */
export interface Resolver {
  /**
   * Resolves a tag (or a digest string) to the manifest descriptor.
   * @throws {NotFoundError} ERR_NOT_FOUND when unknown.
   */
  resolve(reference: string, opts?: Op): Promise<Descriptor>;
}

/** Associates tags with manifests. */
export interface Tagger {
  /** Points `reference` (a tag) at `desc`. */
  tag(desc: Descriptor, reference: string, opts?: Op): Promise<void>;
}

/** Lists manifests whose `subject` is a given manifest. */
export interface ReferrerLister {
  /** Yields the descriptors of manifests referring to `subject`, optionally filtered. */
  referrers(subject: Descriptor, opts?: Op & { artifactType?: string }): AsyncIterable<Descriptor>;
}

/** A store that can be read and resolved. */
export interface ReadOnlyTarget extends ReadOnlyStorage, Resolver {}

/** A store that can be read, resolved, written and tagged. */
export interface Target extends ReadOnlyTarget, Pusher, Tagger {}

/** A read-only target that can list referrers. */
export interface ReadOnlyGraphTarget extends ReadOnlyTarget, ReferrerLister {}

/** A target that can list referrers. */
export interface GraphTarget extends Target, ReferrerLister {}

/** Lists tags. */
export interface TagLister {
  /** Yields every tag, in lexical order. */
  tags(opts?: Op): AsyncIterable<string>;
}

/** Deletes content. */
export interface Deleter {
  /** Removes the content (and, for manifests, their tags). */
  delete(desc: Descriptor, opts?: Op): Promise<void>;
}
