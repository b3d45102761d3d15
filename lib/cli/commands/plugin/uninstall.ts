/**
 * `ocisign plugin uninstall NAME`: removes `<config dir>/plugins/<name>/`.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { NotFoundError } from "../../../errors.ts";
import { pluginExecutable, pluginsDir } from "../../_plugin.ts";
import { joinPath } from "../../config/config_dir.ts";
import type { CliIo } from "../../io.ts";
import { outputArgs } from "../../_args.ts";
import { writeResult } from "../../output.ts";

const args = {
  name: { type: "positional", description: "The plugin's name", required: true },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `plugin uninstall`.
 *
 * @example
 * ```ts ignore
 * const cmd = pluginUninstallCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function pluginUninstallCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "uninstall",
      alias: ["remove", "rm"],
      description: "Uninstall a plugin",
      examples: ["ocisign plugin uninstall azure-kv", "ocisign plugin uninstall azure-kv -o json"],
    },
    args,
    async run({ args }): Promise<void> {
      pluginExecutable(io, args.name); // checks the name
      const dir = joinPath(pluginsDir(io), args.name);
      if (await io.fs.stat(dir) === undefined) {
        throw new NotFoundError(
          `plugin ${
            JSON.stringify(args.name)
          } is not installed; list the plugins with 'ocisign plugin list'`,
        );
      }
      await io.fs.remove(dir, { recursive: true });
      writeResult(io, args.output, `Successfully uninstalled plugin ${args.name}\n`, {
        name: args.name,
        deleted: dir,
      });
    },
  });
}
