/**
 * The {@linkcode Fs} of the runtime the code runs on, chosen in one place: {@linkcode denoFs}
 * under Deno (no `node:` module loads for reads, small writes and locks), {@linkcode bunFs}
 * under Bun (metadata and small files by synchronous `node:fs` calls, no worker-thread round
 * trip each), {@linkcode nodeFs} elsewhere (Node).
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";

/**
 * Loads the runtime's {@linkcode Fs}: `denoFs` when `Deno` is defined (Bun does not define it),
 * `bunFs` when `Bun` is, else `nodeFs`. Only the chosen module loads.
 *
 * @example
 * ```ts
 * import { loadRuntimeFs } from "./runtime_fs.ts";
 * const fs = await loadRuntimeFs();
 * console.log((await fs.stat("deno.json"))?.isFile); // true
 * ```
 * @returns The file system.
 */
export async function loadRuntimeFs(): Promise<Fs> {
  // `+ ""`: see ../cli/commands/registry.ts (Deno parses none of them up front; Bun bundles all).
  if ((globalThis as { Deno?: unknown }).Deno !== undefined) {
    return (await import("./deno_fs.ts" + "") as typeof import("./deno_fs.ts")).denoFs;
  }
  if ((globalThis as { Bun?: unknown }).Bun !== undefined) {
    return (await import("./bun_fs.ts" + "") as typeof import("./bun_fs.ts")).bunFs;
  }
  return (await import("./node_fs.ts" + "") as typeof import("./node_fs.ts")).nodeFs;
}
