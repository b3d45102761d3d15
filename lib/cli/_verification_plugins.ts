/**
 * The verification-plugin host of `verify` and `blob verify`: installed notation plugins run
 * with `--plugin-config`. The plugin code is loaded only when a signature names a plugin, so
 * verifying ordinary signatures loads none of it.
 *
 * @module
 */
import type { VerificationPluginHost } from "../verify/verification_plugin.ts";
import type { CliIo } from "./io.ts";

/** The `--plugin-config` flag of the verify commands. */
export const verifyPluginConfigArg = {
  "plugin-config": {
    type: "string",
    description: "k=v configuration for the verification plugin a signature names (repeatable)",
  },
} as const;

/**
 * A host that runs installed plugins for signatures naming a verification plugin.
 * @param io The environment.
 * @param pluginConfig `--plugin-config` pairs.
 * @returns The host.
 */
export function cliVerificationPlugins(
  io: CliIo,
  pluginConfig: Record<string, string>,
): VerificationPluginHost {
  return {
    async open(name) {
      const [{ pluginRunner }, { PluginVerificationHost }] = await Promise.all([
        // `+ ""`: Deno then does not parse the plugin code when verify loads (see commands/registry.ts).
        import("./_plugin.ts" + "") as Promise<typeof import("./_plugin.ts")>,
        import("../plugin/plugin_verification_host.ts" + "") as Promise<
          typeof import("../plugin/plugin_verification_host.ts")
        >,
      ]);
      return await new PluginVerificationHost((n) => pluginRunner(io, n), pluginConfig).open(name);
    },
  };
}
