/**
 * `ocisign cert`: test certificates and the trust stores.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { CommandDef } from "../../command.ts";
import type { CliIo } from "../../io.ts";
import { certAddCommand } from "./add.ts";
import { certDeleteCommand } from "./delete.ts";
import { certGenerateTestCommand } from "./generate_test.ts";
import { certListCommand } from "./list.ts";
import { certShowCommand } from "./show.ts";

/**
 * Builds the `cert` command group.
 *
 * @example
 * ```ts ignore
 * import { certCommand } from "./mod.ts";
 * const cmd = certCommand(io);
 * ```
 * @param io The environment.
 * @returns The command with its subcommands.
 */
export function certCommand(io: CliIo): CommandDef {
  return defineCommand({
    meta: {
      name: "cert",
      description: "Manage certificates in the trust stores, and test certificates",
      examples: [
        "ocisign cert generate-test wabbit-networks.io --default",
        "ocisign cert list",
      ],
    },
    subCommands: {
      "generate-test": () => certGenerateTestCommand(io),
      add: () => certAddCommand(io),
      list: () => certListCommand(io),
      show: () => certShowCommand(io),
      delete: () => certDeleteCommand(io),
    },
  });
}
