/**
 * Trust store types and named-store references (`<type>:<name>`) as trust policies write them.
 *
 * @see https://github.com/notaryproject/specifications/blob/main/specs/trust-store-trust-policy.md#trust-store
 * @module
 */

/**
 * `ca` roots vouch for `notary.x509` signatures, `signingAuthority` roots for
 * `notary.x509.signingAuthority` signatures, `tsa` roots for RFC 3161 timestamps.
 */
export type TrustStoreType = "ca" | "signingAuthority" | "tsa";

/** Every trust store type (directory names under `truststore/x509/`, case-sensitive). */
export const TRUST_STORE_TYPES: readonly TrustStoreType[] = Object.freeze([
  "ca",
  "signingAuthority",
  "tsa",
]);

/** A valid named store: a cross-platform file name. */
export const NAMED_STORE_REGEXP: RegExp = /^[a-zA-Z0-9_.-]+$/;

/**
 * Whether a string is a trust store type.
 *
 * @example
 * ```ts
 * import { isTrustStoreType } from "./trust_store_type.ts";
 * console.log(isTrustStoreType("ca"), isTrustStoreType("CA")); // true false
 * ```
 * @param value Any string.
 * @returns True for `ca`, `signingAuthority` and `tsa`.
 */
export function isTrustStoreType(value: string): value is TrustStoreType {
  return (TRUST_STORE_TYPES as readonly string[]).includes(value);
}
