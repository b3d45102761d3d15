/**
 * The embedded OCI registry: a fetch-style handler implementing distribution-spec 1.1 (pull,
 * push, chunked uploads, mount, tags, referrers, deletes) over repositories kept as OCI image
 * layout directories.
 *
 * @example Serve ./registry on port 5000
 * ```ts ignore
 * import { createLayoutRepositoryProvider, createRegistryHandler } from "./mod.ts";
 * import type { Fs } from "../content/fs.ts";
 * declare const fs: Fs; // the runtime layer's file system
 * const repositories = createLayoutRepositoryProvider({ root: "./registry", fs });
 * const handler = createRegistryHandler({ repositories });
 * const res = await handler(new Request("http://localhost:5000/v2/"));
 * console.log(res.status); // 200
 * ```
 *
 * @module
 */
export * from "./registry_handler.ts";
export * from "./layout_repository_provider.ts";
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
