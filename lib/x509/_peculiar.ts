/**
 * Loads `@peculiar/x509` with its metadata polyfill and WebCrypto provider, once.
 *
 * @module
 */
import "./_reflect.ts";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(crypto);

export { x509 };
