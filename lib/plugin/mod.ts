/**
 * notation plugins (contract 1.0): the protocol's shapes and checks; signers through plugins
 * with raw-signature or envelope capability; the verification-plugin host; plugin archives.
 * Running the plugin process is the caller's (see `lib/runtime/plugin_process.ts`).
 *
 * @example
 * ```ts ignore
 * import { openPluginSigner } from "./mod.ts";
 * const signer = await openPluginSigner({ plugin: "kv", runner, keyId: "key-1" });
 * ```
 *
 * @module
 */
export * from "./protocol.ts";
export * from "./plugin_failure.ts";
export * from "./plugin_signer.ts";
export * from "./plugin_envelope_signer.ts";
export * from "./open_plugin_signer.ts";
export * from "./plugin_verification_host.ts";
export * from "./plugin_archive.ts";
