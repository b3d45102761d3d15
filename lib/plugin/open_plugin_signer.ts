/**
 * Opens the signer of a plugin key the way notation-go does: the plugin's metadata decides
 * between raw signing (`SIGNATURE_GENERATOR.RAW`, preferred when both are offered) and whole
 * envelopes (`SIGNATURE_GENERATOR.ENVELOPE`).
 *
 * @module
 */
import { UnsupportedError } from "../errors.ts";
import type { EnvelopeSigner } from "../sign/premade_envelope.ts";
import { PluginEnvelopeSigner } from "./plugin_envelope_signer.ts";
import { PluginSigner } from "./plugin_signer.ts";
import type { PluginSignerOptions } from "./plugin_signer.ts";
import { CAPABILITY, checkMetadata } from "./protocol.ts";

/**
 * Asks the plugin for its metadata (contract 1.0) and opens a raw or an envelope signer.
 *
 * @example
 * ```ts ignore
 * import { openPluginSigner } from "./open_plugin_signer.ts";
 * const signer = await openPluginSigner({ plugin: "azure-kv", runner, keyId: "https://..." });
 * ```
 * @param options The plugin, its runner, the key id and config.
 * @returns The signer.
 * @throws {UnsupportedError} ERR_UNSUPPORTED when the plugin generates no signatures.
 * @throws {InvalidInputError} ERR_INVALID_INPUT for a malformed or mismatching answer.
 */
export async function openPluginSigner(
  options: PluginSignerOptions,
): Promise<PluginSigner | EnvelopeSigner> {
  const metadata = checkMetadata(
    await options.runner.run("get-plugin-metadata", { pluginConfig: options.pluginConfig ?? {} }),
    options.plugin,
  );
  if (metadata.capabilities.includes(CAPABILITY.raw)) return await PluginSigner.create(options);
  if (metadata.capabilities.includes(CAPABILITY.envelope)) {
    return new PluginEnvelopeSigner(options);
  }
  throw new UnsupportedError(
    `plugin ${
      JSON.stringify(options.plugin)
    } does not generate signatures (${CAPABILITY.raw} or ${CAPABILITY.envelope}); it has ${
      metadata.capabilities.join(", ")
    }`,
  );
}
