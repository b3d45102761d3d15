/**
 * X.509 for Notary Project signatures: PEM, certificates (names as notation prints them), the
 * key-spec table, private keys, the code-signing chain profile, trust and validity checks, and
 * certificate generation (`generate-test`, test chains).
 *
 * @example
 * ```ts
 * import { generateTestCertificate, validateCodeSigningChain } from "@ocisign/ocisign/x509";
 * const { certificate } = await generateTestCertificate("example", { keySpec: "EC-256" });
 * await validateCodeSigningChain([certificate]);
 * console.log(certificate.subject); // CN=example,O=Notary,L=Seattle,ST=WA,C=US
 * ```
 * @module
 */
export * from "./pem.ts";
export * from "./key_spec.ts";
export * from "./distinguished_name.ts";
export * from "./certificate.ts";
export * from "./private_key.ts";
export * from "./code_signing_chain.ts";
export * from "./chain_trust.ts";
export * from "./create_certificate.ts";
export * from "./generate_test_certificate.ts";
export * from "./revocation/mod.ts";

// Types the exports above refer to, defined in other modules.
export type { Bytes } from "../_internal/bytes.ts";
export type { ErrorCode, OcisignError } from "../errors.ts";
