/**
 * Loads `@peculiar/x509` once, leaving no globals behind: the metadata functions its dependency
 * injection needs exist only while it loads, tslib's global helpers are removed again (see
 * `_reflect.ts`), and no crypto provider is installed (callers pass WebCrypto's `crypto` to the
 * functions that need one).
 *
 * @module
 */
import { restoreGlobals } from "./_reflect.ts";
import * as x509 from "@peculiar/x509";

restoreGlobals();

export { x509 };
