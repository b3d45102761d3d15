/**
 * The embedded OCI registry: a fetch-style handler implementing distribution-spec 1.1 (pull,
 * push, chunked uploads, mount, tags, referrers, deletes) over repositories kept as OCI image
 * layout directories.
 *
 * @example Serve ./registry on port 5000
 * ```ts ignore
 * import { createLayoutRepositoryProvider, createRegistryHandler } from "./mod.ts";
 * import { nodeFs, nodeHasherFactory } from "../runtime/mod.ts";
 * import { serveHttp } from "../runtime/http_server.ts";
 * const repositories = createLayoutRepositoryProvider({ root: "./registry", fs: nodeFs, hasherFactory: nodeHasherFactory });
 * const server = await serveHttp(createRegistryHandler({ repositories }), { port: 5000 });
 * ```
 *
 * @module
 */
export * from "./registry_handler.ts";
export * from "./layout_repository_provider.ts";
export * from "./fs_upload_store.ts";
export type * from "./repository.ts";
