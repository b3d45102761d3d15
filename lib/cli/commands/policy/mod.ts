/**
 * `ocisign policy`: the trust policy.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { CommandDef } from "../../command.ts";
import type { CliIo } from "../../io.ts";
import { policyImportCommand } from "./import.ts";
import { policyInitCommand } from "./init.ts";
import { policyShowCommand } from "./show.ts";

/**
 * Builds the `policy` command group.
 *
 * @example
 * ```ts ignore
 * import { policyCommand } from "./mod.ts";
 * const cmd = policyCommand(io);
 * ```
 * @param io The environment.
 * @returns The command with its subcommands.
 */
export function policyCommand(io: CliIo): CommandDef {
  return defineCommand({
    meta: {
      name: "policy",
      description: "Manage the trust policy",
      examples: [
        "ocisign policy show",
      ],
    },
    subCommands: {
      import: () => policyImportCommand(io),
      show: () => policyShowCommand(io),
      init: () => policyInitCommand(io),
    },
  });
}
