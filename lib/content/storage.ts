/**
 * The content model every backend implements (layout directory, layout tar, registry repository,
 * memory), after oras-go's interfaces, made async and cancellable. `copy`, `sign`, `verify`,
 * `list` and `build` are written once against these.
 *
 * Contract for implementers: `fetch` returns a stream that errors (with
 * `DigestMismatchError`/`SizeMismatchError`) if the bytes do not match `desc.size` and
 * `desc.digest`; `push` verifies the body against `desc` before the content becomes visible;
 * `resolve` names manifests only (a tag, or the digest of a stored manifest), so a config or
 * layer digest is not found in any store, as in a registry.
 *
 * Optional abilities ({@linkcode Mounter}, {@linkcode RangeFetcher}, {@linkcode Untagger},
 * {@linkcode Committer}, {@linkcode Closer}) are found by interface with their type guards
 * ({@linkcode isMounter}, …), never by class.
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

/** How a {@linkcode Mounter.mount} ended. */
export type MountResult = "mounted" | "uploaded";

/** Options of {@linkcode Mounter.mount}. */
export interface MountOptions extends Op {
  /** The content to upload when the store cannot mount (the registry opened a session instead). */
  getContent?: () => Promise<ReadableStream<Uint8Array> | Uint8Array>;
}

/** Mounts blobs from another repository of the same registry, as oras-go's `registry.Mounter`. */
export interface Mounter {
  /**
   * The repository to mount from when `source` is another repository this store can mount
   * from (same registry, same credentials), else `undefined`.
   */
  mountSourceFor(source: unknown): string | undefined;
  /**
   * Mounts a blob from `fromRepository`; when the store cannot, the content from
   * `opts.getContent` is pushed instead.
   * @throws {NotFoundError} ERR_NOT_FOUND when it cannot mount and `getContent` is absent.
   */
  mount(desc: Descriptor, fromRepository: string, opts?: MountOptions): Promise<MountResult>;
}

/** A byte range: `length` bytes from `offset`. */
export interface ByteRange {
  /** The first byte. */
  offset: number;
  /** How many bytes. */
  length: number;
}

/** Reads part of a blob. */
export interface RangeFetcher {
  /**
   * Streams `range` of the content `desc` names. A part cannot be checked against the digest:
   * the range is checked against `desc.size` and the stream errors unless it yields exactly
   * `range.length` bytes; the caller verifies what the bytes mean.
   * @throws {NotFoundError} ERR_NOT_FOUND when absent.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when the stored size differs from `desc.size`.
   * @throws {InvalidArgumentError} ERR_INVALID_ARGUMENT when the range is outside `desc.size`.
   */
  fetchRange(desc: Descriptor, range: ByteRange, opts?: Op): Promise<ReadableStream<Bytes>>;
}

/** Removes tags. */
export interface Untagger {
  /**
   * Removes a tag; the manifest it named stays.
   * @throws {NotFoundError} ERR_NOT_FOUND when there is no such tag.
   */
  untag(tag: string, opts?: Op): Promise<void>;
}

/** A store whose changes become visible (or durable) only when committed. */
export interface Committer {
  /** Stores the changes made so far. */
  commit(opts?: Op): Promise<void>;
}

/** A store holding resources (open files, staged changes) until closed. */
export interface Closer {
  /** Releases resources; changes not committed are dropped. */
  close(): Promise<void>;
}

function hasMethods(x: unknown, ...names: string[]): boolean {
  if (typeof x !== "object" || x === null) return false;
  const o = x as Record<string, unknown>;
  return names.every((n) => typeof o[n] === "function");
}

/**
 * Whether `x` can mount blobs across repositories.
 *
 * @example
 * ```ts
 * import { isMounter } from "./storage.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * console.log(isMounter(new MemoryStore())); // false
 * ```
 */
export function isMounter(x: unknown): x is Mounter {
  return hasMethods(x, "mount", "mountSourceFor");
}

/**
 * Whether `x` can read part of a blob.
 *
 * @example
 * ```ts
 * import { isRangeFetcher } from "./storage.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * console.log(isRangeFetcher(new MemoryStore())); // true
 * ```
 */
export function isRangeFetcher(x: unknown): x is RangeFetcher {
  return hasMethods(x, "fetchRange");
}

/**
 * Whether `x` can remove tags.
 *
 * @example
 * ```ts
 * import { isUntagger } from "./storage.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * console.log(isUntagger(new MemoryStore())); // true
 * ```
 */
export function isUntagger(x: unknown): x is Untagger {
  return hasMethods(x, "untag");
}

/**
 * Whether `x` needs its changes committed.
 *
 * @example
 * ```ts
 * import { isCommitter } from "./storage.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * console.log(isCommitter(new MemoryStore())); // false
 * ```
 */
export function isCommitter(x: unknown): x is Committer {
  return hasMethods(x, "commit");
}

/**
 * Whether `x` holds resources until closed.
 *
 * @example
 * ```ts
 * import { isCloser } from "./storage.ts";
 * import { MemoryStore } from "./memory_store.ts";
 * console.log(isCloser(new MemoryStore())); // false
 * ```
 */
export function isCloser(x: unknown): x is Closer {
  return hasMethods(x, "close");
}
