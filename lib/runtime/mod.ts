/**
 * Runtime adapters: the only code (besides the CLI) that touches `node:*` APIs. Supplies the
 * {@linkcode Fs} and {@linkcode HasherFactory} the core receives.
 *
 * @example
 * ```ts
 * import { nodeFs, nodeHasherFactory } from "./mod.ts";
 * const h = nodeHasherFactory("sha256");
 * h.update(await nodeFs.readFile("deno.json"));
 * console.log(h.digestHex());
 * ```
 *
 * @module
 */
export * from "./node_fs.ts";
export * from "./node_hasher.ts";
