/**
 * `ocisign key update NAME --default`: marks a signing key as the default.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { writeResult } from "../../output.ts";
import { outputArgs } from "../../_args.ts";
import type { CliIo } from "../../io.ts";
import {
  findSigningKey,
  readSigningKeys,
  setDefaultSigningKey,
  writeSigningKeys,
} from "../../config/signing_keys.ts";

const args = {
  name: { type: "positional", description: "Name of the key", required: true },
  default: { type: "boolean", alias: "d", description: "Mark the key as the default signing key" },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `key update`.
 *
 * @example
 * ```ts ignore
 * import { keyUpdateCommand } from "./update.ts";
 * const cmd = keyUpdateCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function keyUpdateCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "update",
      alias: "set",
      description: "Update a signing key: key update NAME --default",
      examples: [
        "ocisign key update mykey --default",
      ],
    },
    args,
    async run({ args }): Promise<void> {
      const keys = await readSigningKeys(io);
      findSigningKey(keys, args.name);
      if (args.default !== true) {
        io.stderr(
          `Warning: nothing to update for ${args.name}; use --default to mark it as the default key\n`,
        );
        return;
      }
      if (keys.default !== args.name) {
        await writeSigningKeys(io, setDefaultSigningKey(keys, args.name));
      }
      writeResult(io, args.output, `${args.name}: marked as default\n`, {
        name: args.name,
        default: true,
      });
    },
  });
}
