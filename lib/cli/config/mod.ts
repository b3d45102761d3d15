/**
 * The configuration directory, laid out like notation's: `signingkeys.json`, `localkeys/`, the
 * trust stores under `truststore/x509/` and the trust policy.
 *
 * @example Find the signing key and the trust policy
 * ```ts ignore
 * import { loadTrustPolicy, resolveSigningKey } from "./mod.ts";
 * const key = await resolveSigningKey(io, args.key);
 * const policy = await loadTrustPolicy(io);
 * ```
 *
 * @module
 */
export * from "./config_dir.ts";
export * from "./signing_keys.ts";
export * from "./resolve_signing_key.ts";
export * from "./check_key_pair.ts";
export * from "./trust_store_dir.ts";
export * from "./trust_policy_file.ts";
export * from "./blob_trust_policy_file.ts";
