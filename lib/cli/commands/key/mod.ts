/**
 * `ocisign key`: the signing keys of `signingkeys.json`.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { CommandDef } from "../../command.ts";
import type { CliIo } from "../../io.ts";
import { keyAddCommand } from "./add.ts";
import { keyDeleteCommand } from "./delete.ts";
import { keyListCommand } from "./list.ts";
import { keyUpdateCommand } from "./update.ts";

/**
 * Builds the `key` command group.
 *
 * @example
 * ```ts ignore
 * import { keyCommand } from "./mod.ts";
 * const cmd = keyCommand(io);
 * ```
 * @param io The environment.
 * @returns The command with its subcommands.
 */
export function keyCommand(io: CliIo): CommandDef {
  return defineCommand({
    meta: {
      name: "key",
      description: "Manage the keys used for signing",
      examples: [
        "ocisign key list",
      ],
    },
    subCommands: {
      add: () => keyAddCommand(io),
      list: () => keyListCommand(io),
      update: () => keyUpdateCommand(io),
      delete: () => keyDeleteCommand(io),
    },
  });
}
