/**
 * `nodeFs`, loaded on first use, for the runtime file systems that do most of the work their own
 * way and pass the rest on (`denoFs`, `bunFs`).
 *
 * @module
 */
import type { Fs } from "../content/fs.ts";

let nodeFsLoaded: Promise<Fs> | undefined;

/** `nodeFs`, loaded on first use (`+ ""`: see ../cli/commands/registry.ts). */
export function loadNodeFs(): Promise<Fs> {
  nodeFsLoaded ??= (import("./node_fs.ts" + "") as Promise<typeof import("./node_fs.ts")>)
    .then((m) => m.nodeFs);
  return nodeFsLoaded;
}

/** The member `name` of `nodeFs`, called once `nodeFs` is loaded. */
export function viaNodeFs<K extends keyof Fs>(name: K): NonNullable<Fs[K]> {
  return (async (...args: unknown[]) => {
    const fs = await loadNodeFs();
    const member = fs[name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (member === undefined) return undefined;
    return await member.apply(fs, args);
  }) as unknown as NonNullable<Fs[K]>;
}
