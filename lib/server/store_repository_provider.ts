/**
 * Repositories kept in any store with the Target contract (a {@linkcode MemoryStore}, a layout,
 * a store of one's own): blob sizes, ranged reads and the adoption of finished uploads use the
 * store's abilities (`BlobStatter`, `RangeFetcher`, `FileIngester`, `Untagger`) where it has them, and its `resolve`, `fetch` and `push` where it has
 * not.
 *
 * @module
 */
import type { Bytes } from "../_internal/bytes.ts";
import { type BlobStatter, canIngestFiles, readStoredRange } from "../content/blob_abilities.ts";
import { MemoryFs } from "../content/memory_fs.ts";
import {
  type Deleter,
  type GraphTarget,
  isUntagger,
  type Op,
  type TagLister,
} from "../content/storage.ts";
import type { Descriptor } from "../oci/descriptor.ts";
import { apiError } from "./_api_error.ts";
import { createFsUploadStore } from "./fs_upload_store.ts";
import type {
  GetRepositoryOptions,
  RegistryRepository,
  RepositoryProvider,
  UploadStore,
} from "./repository.ts";

/**
 * A store the registry can serve: content, referrers, tags, deletes and blob sizes by digest
 * (a registry answers `HEAD /blobs/<digest>` knowing nothing else). Tag deletes need the
 * `Untagger` ability; without it they are answered 405.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "@ocisign/ocisign/content";
 * import type { ServableStore } from "./store_repository_provider.ts";
 * const store: ServableStore = new MemoryStore();
 * ```
 */
export type ServableStore = GraphTarget & TagLister & Deleter & BlobStatter;

/**
 * Options for {@linkcode createStoreRepositoryProvider}.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "@ocisign/ocisign/content";
 * import type { StoreRepositoryProviderOptions } from "./store_repository_provider.ts";
 * const stores = new Map([["org/app", new MemoryStore()]]);
 * const options: StoreRepositoryProviderOptions = {
 *   open: (name) => Promise.resolve(stores.get(name)),
 * };
 * ```
 */
export interface StoreRepositoryProviderOptions {
  /**
   * The store of repository `name` (names are validated before they get here), or `undefined`
   * when there is none and `opts.create` is unset. Called for every request, so a store can be
   * brought up to date with its storage here; return the same object for the same repository.
   */
  open(name: string, opts: GetRepositoryOptions): Promise<ServableStore | undefined>;
  /** Scratch space for upload sessions (default: in memory). */
  uploads?: UploadStore;
}

/**
 * Makes one repository of a store.
 *
 * @example
 * ```ts ignore
 * import { MemoryStore } from "../content/memory_store.ts";
 * import { storeRepository } from "./store_repository_provider.ts";
 * import type { UploadStore } from "./repository.ts";
 * declare const uploads: UploadStore;
 * const repo = storeRepository(new MemoryStore(), uploads);
 * ```
 * @param target The store.
 * @param uploads Scratch space for upload sessions.
 * @returns The repository.
 */
export function storeRepository(target: ServableStore, uploads: UploadStore): RegistryRepository {
  const repository: RegistryRepository = {
    target,
    uploads,
    blobSize(digest: string, opts?: Op): Promise<number | undefined> {
      return target.statBlob(digest, opts);
    },
    readBlob(
      desc: Descriptor,
      range: { offset: number; length: number },
      opts?: Op,
    ): Promise<ReadableStream<Bytes>> {
      return readStoredRange(target, desc, range, opts);
    },
    async untag(tag: string, opts?: Op): Promise<void> {
      if (!isUntagger(target)) {
        throw apiError(
          405,
          "UNSUPPORTED",
          "This registry's storage cannot remove a tag; delete the manifest by digest instead",
        );
      }
      await target.untag(tag, opts);
    },
  };
  if (canIngestFiles(target) && uploads.partFile !== undefined) {
    const partFile = uploads.partFile.bind(uploads);
    repository.adoptUpload = (id, index, desc, opts) =>
      target.ingestVerifiedFile(desc, partFile(id, index), opts);
  }
  return repository;
}

/**
 * Creates a {@linkcode RepositoryProvider} over stores that `options.open` gives by repository
 * name: any store with the Target contract can be served.
 *
 * @example Serve one repository kept in memory
 * ```ts
 * import { MemoryStore } from "@ocisign/ocisign/content";
 * import { createRegistryHandler, createStoreRepositoryProvider } from "@ocisign/ocisign/server";
 * const stores = new Map([["org/app", new MemoryStore()]]);
 * const repositories = createStoreRepositoryProvider({
 *   open: (name) => Promise.resolve(stores.get(name)),
 * });
 * const handler = createRegistryHandler({ repositories });
 * const res = await handler(new Request("http://localhost/v2/org/app/tags/list"));
 * if (res.status !== 200) throw new Error(`status ${res.status}`);
 * ```
 * @param options How to open a repository's store, and where uploads go.
 * @returns The provider.
 */
export function createStoreRepositoryProvider(
  options: StoreRepositoryProviderOptions,
): RepositoryProvider {
  const uploads = options.uploads ?? createFsUploadStore(new MemoryFs(), "/uploads");
  const repositories = new WeakMap<ServableStore, RegistryRepository>();
  return {
    async get(
      name: string,
      opts: GetRepositoryOptions = {},
    ): Promise<RegistryRepository | undefined> {
      const store = await options.open(name, opts);
      if (store === undefined) return undefined;
      let repository = repositories.get(store);
      if (repository === undefined) {
        repository = storeRepository(store, uploads);
        repositories.set(store, repository);
      }
      return repository;
    },
  };
}
