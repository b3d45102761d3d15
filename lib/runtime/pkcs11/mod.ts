/**
 * PKCS#11: signing with keys that never leave a hardware token (an HSM, a smartcard, SoftHSM),
 * through `Deno.dlopen` under Deno and `bun:ffi` in the compiled binary. URIs follow RFC 7512.
 *
 * @example
 * ```ts ignore
 * import { parsePkcs11Uri, Pkcs11Signer } from "./mod.ts";
 * const signer = await Pkcs11Signer.create({
 *   uri: parsePkcs11Uri("pkcs11:token=station;object=release"),
 *   modulePath: "/usr/lib/softhsm/libsofthsm2.so",
 *   pin: () => Promise.resolve("1234"),
 * });
 * ```
 *
 * @module
 */
export * from "./pkcs11_uri.ts";
export * from "./pkcs11_error.ts";
export * from "./pkcs11_module.ts";
export * from "./pkcs11_key.ts";
export * from "./pkcs11_signer.ts";
export * from "./token_test_certificate.ts";
