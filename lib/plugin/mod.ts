/**
 * notation plugins (contract 1.0): the protocol's shapes and checks, and a signer that signs
 * through a plugin with raw-signature capability. Running the plugin process is the caller's
 * (see `lib/runtime/plugin_process.ts`).
 *
 * @example
 * ```ts ignore
 * import { PluginSigner } from "./mod.ts";
 * const signer = await PluginSigner.create({ plugin: "kv", runner, keyId: "key-1" });
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
