/**
 * `ocisign blob`: detached signatures for any file, compatible with `notation blob` (2.x).
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { CommandDef } from "../../command.ts";
import type { CliIo } from "../../io.ts";
import { blobInspectCommand } from "./inspect.ts";
import { blobPolicyCommand } from "./policy.ts";
import { blobSignCommand } from "./sign.ts";
import { blobVerifyCommand } from "./verify.ts";

/**
 * Builds the `blob` command group.
 *
 * @example
 * ```ts ignore
 * import { blobCommand } from "./mod.ts";
 * const cmd = blobCommand(io);
 * ```
 * @param io The environment.
 * @returns The command with its subcommands.
 */
export function blobCommand(io: CliIo): CommandDef {
  return defineCommand({
    meta: {
      name: "blob",
      description: "Sign, verify and inspect detached signatures of any file",
      examples: [
        "ocisign blob sign ./app.tar.gz",
        "ocisign blob verify --signature ./app.tar.gz.jws.sig ./app.tar.gz",
      ],
    },
    subCommands: {
      sign: () => blobSignCommand(io),
      verify: () => blobVerifyCommand(io),
      inspect: () => blobInspectCommand(io),
      policy: () => blobPolicyCommand(io),
    },
  });
}
