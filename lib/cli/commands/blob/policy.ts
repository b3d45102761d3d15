/**
 * `ocisign blob policy`: the blob trust policy (`trustpolicy.blob.json`).
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { CommandDef } from "../../command.ts";
import type { CliIo } from "../../io.ts";
import { blobPolicyImportCommand } from "./policy_import.ts";
import { blobPolicyInitCommand } from "./policy_init.ts";
import { blobPolicyShowCommand } from "./policy_show.ts";

/**
 * Builds the `blob policy` command group.
 *
 * @example
 * ```ts ignore
 * import { blobPolicyCommand } from "./policy.ts";
 * const cmd = blobPolicyCommand(io);
 * ```
 * @param io The environment.
 * @returns The command with its subcommands.
 */
export function blobPolicyCommand(io: CliIo): CommandDef {
  return defineCommand({
    meta: {
      name: "policy",
      description: "Manage the blob trust policy",
      examples: ["ocisign blob policy show"],
    },
    subCommands: {
      init: () => blobPolicyInitCommand(io),
      import: () => blobPolicyImportCommand(io),
      show: () => blobPolicyShowCommand(io),
    },
  });
}
