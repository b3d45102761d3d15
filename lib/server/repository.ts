/**
 * What the registry handler needs from the storage behind it: a provider that opens repositories
 * by name, and per repository a content target plus blob sizes, ranged reads, untagging and
 * * scratch space for upload sessions (`createStoreRepositoryProvider` builds these over
 * any store).
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import type { Deleter, GraphTarget, Op, TagLister } from "../content/storage.ts";
import type { DigestAlgorithm } from "../digest/digest.ts";
import type { Descriptor } from "../oci/descriptor.ts";

/**
 * Scratch storage for blob upload sessions, invisible to readers of the repository.
 *
 * @example One part, read back
 * ```ts ignore
 * import type { UploadStore } from "./repository.ts";
 * declare const uploads: UploadStore;
 * await uploads.create("4f1c2a9e-8b7d-4c3e-9a1f-2b3c4d5e6f70");
 * await uploads.writePart("4f1c2a9e-8b7d-4c3e-9a1f-2b3c4d5e6f70", 0, new Blob(["abc"]).stream(), { maxBytes: 3, exact: true });
 * const all = uploads.readParts("4f1c2a9e-8b7d-4c3e-9a1f-2b3c4d5e6f70", 1);
 * ```
 */
export interface UploadStore {
  /** Creates an empty area for the session `id`. */
  create(id: string, opts?: Op): Promise<void>;
  /**
   * Stores `body` as part `index` of the session. The part becomes visible only once fully
   * written; on any failure nothing is left behind.
   *
   * @returns The number of bytes written.
   * @throws {SizeExceededError} ERR_SIZE_EXCEEDED when the body is longer than `maxBytes`.
   * @throws {SizeMismatchError} ERR_SIZE_MISMATCH when `exact` is set and the body is shorter.
   */
  writePart(
    id: string,
    index: number,
    body: ReadableStream<Uint8Array>,
    opts: Op & { maxBytes: number; exact?: boolean },
  ): Promise<number>;
  /**
   * Optional: like {@linkcode writePart}, and also hashes the part with `algorithm`, where the
   * store can off the calling thread (the runtime writes the body to the file natively while a
   * worker follows the growing file). Resolves with the bytes written and their digest's hex.
   * Undefined when the store cannot (then use {@linkcode writePart}; the body is untouched).
   */
  writeHashedPart?(
    id: string,
    index: number,
    body: ReadableStream<Uint8Array>,
    opts: Op & { maxBytes: number; exact?: boolean; algorithm: DigestAlgorithm },
  ): Promise<{ size: number; hex: string }> | undefined;
  /** Streams parts `0 .. parts-1` of the session in order. */
  readParts(id: string, parts: number): ReadableStream<Bytes>;
  /** The file holding a stored part, where the store keeps parts as files (for adoption). */
  partFile?(id: string, index: number): string;
  /** Removes the session's area and everything in it. No error when it is gone already. */
  remove(id: string): Promise<void>;
}

/**
 * One repository as the registry handler sees it.
 *
 * @example Read the first bytes of a blob
 * ```ts ignore
 * import type { RegistryRepository } from "./repository.ts";
 * declare const repo: RegistryRepository;
 * const digest = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
 * const size = await repo.blobSize(digest);
 * if (size !== undefined) {
 *   const head = await repo.readBlob({ mediaType: "application/octet-stream", digest, size }, { offset: 0, length: 1 });
 * }
 * ```
 */
export interface RegistryRepository {
  /** Blobs, manifests, tags and referrers. Pushes are verified before content becomes visible. */
  readonly target: GraphTarget & TagLister & Deleter;
  /** Upload session scratch space. */
  readonly uploads: UploadStore;
  /** Size of the blob (or manifest) stored under `digest`, or `undefined` when absent. */
  blobSize(digest: string, opts?: Op): Promise<number | undefined>;
  /** Streams `length` bytes of the stored content `desc`, starting at `offset`. */
  readBlob(
    desc: Descriptor,
    range: { offset: number; length: number },
    opts?: Op,
  ): Promise<ReadableStream<Bytes>>;
  /**
   * Moves upload part `index` of session `id`, whose bytes the caller has verified against
   * `desc` as they arrived, into the repository without copying it (optional: stores without it
   * copy the parts through `target.push`).
   */
  adoptUpload?(id: string, index: number, desc: Descriptor, opts?: Op): Promise<void>;
  /** Removes a tag; the manifest it pointed at stays. */
  untag(tag: string, opts?: Op): Promise<void>;
}

/**
 * Options for {@linkcode RepositoryProvider.get}.
 *
 * @example
 * ```ts
 * import type { GetRepositoryOptions } from "./repository.ts";
 * const opts: GetRepositoryOptions = { create: true };
 * ```
 */
export interface GetRepositoryOptions extends Op {
  /** Create the repository when it does not exist (on the first push). */
  create?: boolean;
}

/**
 * Opens repositories by name (names are validated by the handler before they get here).
 *
 * @example
 * ```ts ignore
 * import type { RepositoryProvider } from "./repository.ts";
 * declare const provider: RepositoryProvider;
 * const repo = await provider.get("org/app", { create: true });
 * ```
 */
export interface RepositoryProvider {
  /**
   * The repository called `name`, or `undefined` when it does not exist and `create` is not set.
   */
  get(name: string, opts?: GetRepositoryOptions): Promise<RegistryRepository | undefined>;
}
