/**
 * The copy engine: {@linkcode copyGraph} moves a content graph between any two stores (registry,
 * layout, memory), and {@linkcode copy} adds reference resolution, platform selection, referrers
 * (`-r`) and tagging, as `oras cp` does.
 *
 * @example
 * ```ts ignore
 * import { copy } from "./mod.ts";
 * import { openRepository } from "../registry/mod.ts";
 * const { repository: src } = openRepository("localhost:5000/hello-world:v1");
 * const { repository: dst } = openRepository("localhost:5000/mirror:v1");
 * const root = await copy(src, "v1", dst, "v1", {
 *   referrers: true,
 *   onProgress: (e) => console.error(e.phase, e.desc.digest.slice(7, 19)),
 * });
 * console.log(root.digest);
 * ```
 *
 * @module
 */
export * from "./copy_graph.ts";
export * from "./copy.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type {
  Fetcher,
  GraphTarget,
  Op,
  Pusher,
  ReadOnlyGraphTarget,
  ReadOnlyStorage,
  ReadOnlyTarget,
  ReferrerLister,
  Resolver,
  Storage,
  Tagger,
  Target,
} from "../content/storage.ts";
export type { ErrorCode, OcisignError } from "../errors.ts";
export type { Descriptor, Platform } from "../oci/descriptor.ts";
