/**
 * Content model: storage, resolver and referrer interfaces, and the helpers that read content
 * bounded and verified.
 *
 * @example
 * ```ts
 * import { fetchAll, MemoryStore, parseManifest } from "@ocisign/ocisign/content";
 * const store = new MemoryStore();
 * const raw = new TextEncoder().encode('{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}');
 * const parsed = parseManifest(raw);
 * console.log(parsed.kind, store instanceof MemoryStore, typeof fetchAll);
 * ```
 *
 * @module
 */
export * from "./storage.ts";
export type * from "./fs.ts";
export * from "./blob_abilities.ts";
export * from "./fetch_all.ts";
export * from "./file_stream.ts";
export * from "./parse_manifest.ts";
export * from "./memory_store.ts";
export * from "./range_stream.ts";
export * from "./memory_fs.ts";
export * from "./resolve_subject.ts";
export * from "./platform_manifests.ts";
export * from "./byte_progress.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type { DigestAlgorithm } from "../digest/digest.ts";
export type { Hasher, HasherFactory } from "../digest/hasher.ts";
export type { Descriptor, Index, Manifest, Platform } from "../oci/descriptor.ts";
