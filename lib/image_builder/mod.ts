/**
 * Daemonless, runtime-free image building: a Dockerfile and its context into a reproducible OCI
 * image (or a multi-platform index) pushed into any `Target`. Config instructions, COPY, ADD
 * (local tars extracted, plain or gzip/bzip2/xz/zstd; URLs through an injected `fetch`),
 * heredocs, WORKDIR and multi-stage builds are supported, and file contents stream (spooled under
 * `spoolDir`); RUN fails with its line number, since there is no container runtime.
 *
 * @example Build into a target
 * ```ts ignore
 * import { buildImage } from "./mod.ts";
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
