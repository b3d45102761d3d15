/**
 * The copy engine: {@linkcode copyGraph} moves a content graph between any two stores (registry,
 * layout, memory), and {@linkcode copy} adds reference resolution, platform selection, referrers
 * (`-r`) and tagging, as `oras cp` does.
 *
 * @example
 * ```ts ignore
 * import { copy } from "@ocisign/ocisign/copy";
 * import { openRepository } from "@ocisign/ocisign/registry";
 * const { repository: src } = openRepository("localhost:5000/hello-world:v1");
 * const { repository: dst } = openRepository("localhost:5000/mirror:v1");
 * const root = await copy(src, "v1", dst, "v1", {
 *   referrers: true,
 *   onProgress: (e) => console.error(e.phase, e.desc.digest.slice(7, 19)),
 * });
 * console.log(root.digest);
 * ```
 *
 * @example Copy an artifact from memory into the embedded registry (in-process, no network)
 * ```ts
 * import { copy } from "@ocisign/ocisign/copy";
 * import { MemoryFs, MemoryStore } from "@ocisign/ocisign/content";
 * import { digestBytes } from "@ocisign/ocisign/digest";
 * import { Registry } from "@ocisign/ocisign/registry";
 * import { createLayoutRepositoryProvider, createRegistryHandler } from "@ocisign/ocisign/server";
 *
 * // The embedded registry, called in-process instead of over the network.
 * const handler = createRegistryHandler({
 *   repositories: createLayoutRepositoryProvider({ root: "/srv", fs: new MemoryFs() }),
 * });
 * const registry = new Registry("localhost:5000", {
 *   plainHttp: true,
 *   fetch: (input, init) => handler(new Request(input, init)),
 * });
 *
 * // Push a small artifact from memory to the registry, as `oras cp` does.
 * const src = new MemoryStore();
 * const bytes = new TextEncoder().encode("{}");
 * const config = { mediaType: "application/vnd.oci.empty.v1+json", digest: await digestBytes(bytes), size: 2 };
 * await src.push(config, bytes);
 * const manifest = new TextEncoder().encode(JSON.stringify({
 *   schemaVersion: 2,
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   artifactType: "application/vnd.example",
 *   config,
 *   layers: [config],
 * }));
 * const desc = {
 *   mediaType: "application/vnd.oci.image.manifest.v1+json",
 *   digest: await digestBytes(manifest),
 *   size: manifest.length,
 * };
 * await src.push(desc, manifest);
 * await src.tag(desc, "v1");
 *
 * const repository = registry.repository("hello-world");
 * const root = await copy(src, "v1", repository, "v1");
 * const resolved = await repository.resolve("v1");
 * if (resolved.digest !== root.digest) throw new Error("the tag points elsewhere");
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
