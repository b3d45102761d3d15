/**
 * `ocisign plugin`: notation plugins in `<config dir>/plugins/` (list, install, uninstall), and
 * ocisign itself as notation's PKCS#11 plugin (`install-self`).
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { CommandDef } from "../../command.ts";
import type { CliIo } from "../../io.ts";
import { pluginInstallCommand } from "./install.ts";
import { pluginInstallSelfCommand } from "./install_self.ts";
import { pluginListCommand } from "./list.ts";
import { pluginUninstallCommand } from "./uninstall.ts";

/**
 * Builds the `plugin` command group.
 *
 * @example
 * ```ts ignore
 * const cmd = pluginCommand(io);
 * ```
 * @param io The environment.
 * @returns The command with its subcommands.
 */
export function pluginCommand(io: CliIo): CommandDef {
  return defineCommand({
    meta: {
      name: "plugin",
      description: "Manage notation plugins",
      examples: ["ocisign plugin list", "ocisign plugin install-self"],
    },
    subCommands: {
      list: () => pluginListCommand(io),
      install: () => pluginInstallCommand(io),
      uninstall: () => pluginUninstallCommand(io),
      "install-self": () => pluginInstallSelfCommand(io),
    },
  });
}
