/**
 * Daemonless, runtime-free image building: a Dockerfile and its context into a reproducible OCI
 * image (or a multi-platform index) pushed into any `Target`. Config instructions, COPY, ADD
 * (local tars extracted, plain or gzip/bzip2/xz/zstd; URLs through an injected `fetch`),
 * heredocs, WORKDIR and multi-stage builds are supported, and file contents stream (spooled under
 * `spoolDir`); RUN fails with its line number, since there is no container runtime.
 *
 * @example Build a reproducible image from a context held in memory
 * ```ts
 * import { buildImage } from "@ocisign/ocisign/build";
 * import { MemoryFs, MemoryStore } from "@ocisign/ocisign/content";
 *
 * // A build context in memory: one file and a Dockerfile.
 * const fs = new MemoryFs();
 * await fs.mkdir("/app", { recursive: true });
 * await fs.writeFileAtomic("/app/hello.txt", new TextEncoder().encode("hello\n"));
 * const output = new MemoryStore();
 *
 * const first = await buildImage({
 *   context: "/app",
 *   dockerfile: 'FROM scratch\nCOPY hello.txt /\nCMD ["/hello"]\n',
 *   fs,
 *   output,
 *   tags: ["hello:v1"],
 *   timestamp: 0,
 * });
 * // Reproducible: the same inputs give the same digest.
 * const second = await buildImage({
 *   context: "/app",
 *   dockerfile: 'FROM scratch\nCOPY hello.txt /\nCMD ["/hello"]\n',
 *   fs,
 *   output: new MemoryStore(),
 *   timestamp: 0,
 * });
 * if (first.descriptor.digest !== second.descriptor.digest) throw new Error("not reproducible");
 * if ((await output.resolve("v1")).digest !== first.descriptor.digest) throw new Error("not tagged");
 * ```
 *
 * @example Build from files on disk into a layout
 * ```ts ignore
 * import { buildImage } from "@ocisign/ocisign/build";
 * const { descriptor } = await buildImage({
 *   context: "./app",
 *   dockerfile: "FROM scratch\nCOPY . /app\nENTRYPOINT [\"/app/run\"]\n",
 *   fs: nodeFs,
 *   output: layout,
 *   tags: ["hello-world:v1"],
 *   timestamp: 0,
 *   hasher: nodeHasherFactory,
 * });
 * ```
 *
 * @module
 */
export * from "./build_image.ts";
export * from "./build_options.ts";
export type { DownloadLimits } from "./add_download.ts";
export type { ArchiveLimits } from "./add_sources.ts";
export * from "./tag_of.ts";
export * from "./image_config.ts";
export * from "./oci_layout_resolver.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type { DirEntry, FileHandle, FileInfo, Fs, WriteOptions } from "../content/fs.ts";
export type {
  Fetcher,
  Op,
  Pusher,
  ReadOnlyStorage,
  ReadOnlyTarget,
  Resolver,
  Tagger,
  Target,
} from "../content/storage.ts";
export type { DigestAlgorithm } from "../digest/digest.ts";
export type { Hasher, HasherFactory } from "../digest/hasher.ts";
export type { Descriptor, Platform } from "../oci/descriptor.ts";
export type { Heredoc } from "../dockerfile/heredoc.ts";
