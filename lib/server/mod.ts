/**
 * The embedded OCI registry: a fetch-style handler implementing distribution-spec 1.1 (pull,
 * push, chunked uploads, mount, tags, referrers, deletes) over repositories kept as OCI image
 * layout directories, or in any store with the Target contract.
 *
 * @example Serve ./registry on port 5000
 * ```ts ignore
 * import { createLayoutRepositoryProvider, createRegistryHandler } from "@ocisign/ocisign/server";
 * import type { Fs } from "@ocisign/ocisign/content";
 * declare const fs: Fs; // the runtime layer's file system
 * const repositories = createLayoutRepositoryProvider({ root: "./registry", fs });
 * const handler = createRegistryHandler({ repositories });
 * const res = await handler(new Request("http://localhost:5000/v2/"));
 * console.log(res.status); // 200
 * ```
 *
 * @example Answer a request in-process, over repositories in memory
 * ```ts
 * import { MemoryFs } from "@ocisign/ocisign/content";
 * import { createLayoutRepositoryProvider, createRegistryHandler } from "@ocisign/ocisign/server";
 *
 * const repositories = createLayoutRepositoryProvider({ root: "/srv", fs: new MemoryFs() });
 * const handler = createRegistryHandler({ repositories });
 * const res = await handler(new Request("http://localhost:5000/v2/"));
 * if (res.status !== 200) throw new Error(`status ${res.status}`);
 * ```
 *
 * @module
 */
export * from "./registry_handler.ts";
export * from "./layout_repository_provider.ts";
export * from "./store_repository_provider.ts";
export * from "./fs_upload_store.ts";
export type * from "./repository.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type { DirEntry, FileHandle, FileInfo, Fs, WriteOptions } from "../content/fs.ts";
export type {
  Deleter,
  Fetcher,
  GraphTarget,
  Op,
  Pusher,
  ReadOnlyStorage,
  ReadOnlyTarget,
  ReferrerLister,
  Resolver,
  Tagger,
  TagLister,
  Target,
} from "../content/storage.ts";
export type { DigestAlgorithm } from "../digest/digest.ts";
export type { Hasher, HasherFactory } from "../digest/hasher.ts";
export type { Descriptor, Platform } from "../oci/descriptor.ts";
