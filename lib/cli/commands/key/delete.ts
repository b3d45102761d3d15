/**
 * `ocisign key delete NAME...`: removes keys from `signingkeys.json` (the key files stay), with
 * notation's messages.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { outputArgs, UsageError } from "../../_args.ts";
import { writeJson } from "../../output.ts";
import type { CliIo } from "../../io.ts";
import { readSigningKeys, removeSigningKeys, writeSigningKeys } from "../../config/signing_keys.ts";

const args = { ...outputArgs } as const satisfies ArgsDef;

/**
 * Builds `key delete`.
 *
 * @example
 * ```ts ignore
 * import { keyDeleteCommand } from "./delete.ts";
 * const cmd = keyDeleteCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function keyDeleteCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "delete",
      alias: ["rm", "remove"],
      description:
        "Remove keys from the signing keys (the key and certificate files are kept): key delete NAME...",
      examples: [
        "ocisign key delete mykey",
        "ocisign key rm old-key older-key",
      ],
      variadic: { name: "name", min: 1, description: "Names of the keys" },
    },
    args,
    async run({ args }): Promise<void> {
      const names = args._;
      if (names.length === 0) throw new UsageError("missing key names");
      const keys = await readSigningKeys(io);
      await writeSigningKeys(io, removeSigningKeys(keys, names));
      const isDefault = (name: string): boolean => name === keys.default;
      if (args.output === "json") {
        writeJson(io, { removed: names.map((name) => ({ name, default: isDefault(name) })) });
        return;
      }
      if (names.length === 1) {
        const name = names[0]!;
        io.stdout(
          `Removed ${
            isDefault(name) ? "default key " : ""
          }${name} from ocisign signing key list. The source key still exists.\n`,
        );
        return;
      }
      io.stdout(
        "Removed the following keys from ocisign signing key list. The source keys still exist.\n" +
          names.map((n) => (isDefault(n) ? `${n} (default)\n` : `${n}\n`)).join(""),
      );
    },
  });
}
