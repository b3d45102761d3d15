/**
 * Keeps the load of `@peculiar/x509` from leaving globals behind.
 *
 * - `@peculiar/x509` loads tsyringe, which refuses to load without `Reflect.getMetadata` and
 *   reads decorator metadata only while the library's classes are being defined. This module
 *   adds the three functions tsyringe calls to `Reflect` (only those that are absent), in place
 *   of the `reflect-metadata` polyfill.
 * - tslib's CommonJS build, which the library's modules load, also copies its helpers
 *   (`__extends`, `__decorate`, ...) onto `globalThis`.
 *
 * `_peculiar.ts` calls {@linkcode installReflectShim} before it loads the library and
 * {@linkcode restoreGlobals} right after, which removes both again: importing ocisign leaves
 * `Reflect` and `globalThis` as it found them.
 *
 * @module
 */

const METADATA = new WeakMap<object, Map<unknown, unknown>>();

const SHIM: Record<string, (...args: never[]) => unknown> = {
  defineMetadata(key: unknown, value: unknown, target: object): void {
    const own = METADATA.get(target) ?? new Map<unknown, unknown>();
    own.set(key, value);
    METADATA.set(target, own);
  },
  getOwnMetadata(key: unknown, target: object): unknown {
    return METADATA.get(target)?.get(key);
  },
  getMetadata(key: unknown, target: object): unknown {
    for (let t: object | null = target; t !== null; t = Object.getPrototypeOf(t)) {
      const own = METADATA.get(t);
      if (own?.has(key)) return own.get(key);
    }
    return undefined;
  },
};

let globalsBefore = new Set<string>();
const added: string[] = [];

/** Adds the stand-in's functions that `Reflect` lacks, and notes the globals present now. */
export function installReflectShim(): void {
  globalsBefore = new Set(Object.getOwnPropertyNames(globalThis));
  for (const [name, fn] of Object.entries(SHIM)) {
    if (name in Reflect) continue;
    Object.defineProperty(Reflect, name, { value: fn, configurable: true, writable: true });
    added.push(name);
  }
}

/** Removes what this module added to `Reflect` and the tslib helpers added to `globalThis`. */
export function restoreGlobals(): void {
  for (const name of added.splice(0)) delete (Reflect as unknown as Record<string, unknown>)[name];
  const global = globalThis as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (name.startsWith("__") && !globalsBefore.has(name)) delete global[name];
  }
}
