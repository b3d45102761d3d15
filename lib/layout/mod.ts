/**
 * OCI image layouts on disk, as a directory or a tar file, implementing the content model
 * ({@linkcode GraphTarget}, {@linkcode TagLister}, {@linkcode Deleter}), plus layout reference
 * parsing (`./dir:tag`, `./dir@sha256:…`).
 *
 * @example
 * ```ts
 * import { openLayout, parseLayoutReference } from "@ocisign/ocisign/layout";
 * import { MemoryFs } from "@ocisign/ocisign/content";
 * const ref = parseLayoutReference("./hello-world:v1");
 * const layout = await openLayout(ref.path, new MemoryFs(), { create: true });
 * console.log([...layout.manifests()].length); // 0
 * await layout.close();
 * ```
 *
 * @module
 */
export * from "./layout_reference.ts";
export * from "./oci_layout.ts";
export * from "./layout_store.ts";
export * from "./layout_tar.ts";
export * from "./open_layout.ts";
export * from "./stream_layout_tar.ts";
export * from "./scanned_layout_tar.ts";

// Types the exports above refer to, defined in other modules.
export type { IndexChange, LayoutIndex } from "../content/_layout_index.ts";
export type { Bytes } from "../_internal/bytes.ts";
export type { DirEntry, FileHandle, FileInfo, Fs, WriteOptions } from "../content/fs.ts";
export type {
  ByteRange,
  Closer,
  Committer,
  Deleter,
  Fetcher,
  GraphTarget,
  Op,
  Pusher,
  RangeFetcher,
  ReadOnlyStorage,
  ReadOnlyTarget,
  ReferrerLister,
  Resolver,
  Tagger,
  TagLister,
  Target,
  Untagger,
} from "../content/storage.ts";
export type { DigestAlgorithm } from "../digest/digest.ts";
export type { Hasher, HasherFactory } from "../digest/hasher.ts";
export type { Descriptor, Platform } from "../oci/descriptor.ts";
