/**
 * Loads `@peculiar/x509` with its metadata polyfill and WebCrypto provider, once.
 *
 * @module
 */
import "./_reflect.ts";
import * as x509 from "npm:@peculiar/x509@2.2.0";

x509.cryptoProvider.set(crypto);

export { x509 };
