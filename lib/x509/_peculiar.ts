/**
 * Loads `@peculiar/x509` once, leaving no globals behind: the metadata functions its dependency
 * injection needs exist only while it loads, tslib's global helpers are removed again (see
 * `_reflect.ts`), and no crypto provider is installed (callers pass WebCrypto's `crypto` to the
 * functions that need one).
 *
 * The library is loaded with a dynamic `import()` after the stand-in is installed: runtimes that
 * evaluate CommonJS dependencies before the ES modules next to them (Bun does) would otherwise load
 * tsyringe before `Reflect.getMetadata` exists.
 *
 * @module
 */
import { installReflectShim, restoreGlobals } from "./_reflect.ts";

installReflectShim();
let loaded: typeof import("npm:@peculiar/x509@2.2.0");
try {
  loaded = await import("npm:@peculiar/x509@2.2.0");
} finally {
  restoreGlobals();
}

/** The `@peculiar/x509` namespace. */
export const x509 = loaded;
