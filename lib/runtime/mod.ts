/**
 * Runtime adapters: the only code (besides the CLI) that touches `node:*` and runtime APIs.
 * Supplies the `Fs` and `HasherFactory` the core receives, and the HTTP server.
 *
 * @example
 * ```ts
 * import { nodeFs, nodeHasherFactory } from "@ocisign/ocisign/runtime";
 * const h = nodeHasherFactory("sha256");
 * h.update(await nodeFs.readFile("deno.json"));
 * console.log(h.digestHex());
 * ```
 *
 * @module
 */
export * from "./file_lock.ts";
export * from "./node_fs.ts";
export * from "./deno_fs.ts";
export * from "./bun_fs.ts";
export * from "./runtime_fs.ts";
export * from "./node_hasher.ts";
export * from "./gc_pacer.ts";
export * from "./http_server.ts";
export * from "./resolve_host.ts";
export * from "./credential_helper_process.ts";
export * from "./tls_fetch.ts";

// Types the exports above refer to, defined in other modules.
export type { Fs } from "../content/fs.ts";
export type { DigestAlgorithm } from "../digest/digest.ts";
export type { Hasher } from "../digest/hasher.ts";
export type { Bytes } from "../_internal/bytes.ts";
export type { CredentialHelperResult, CredentialHelperRunner } from "../registry/credentials.ts";
export type { DirEntry, FileHandle, FileInfo, WriteOptions } from "../content/fs.ts";
