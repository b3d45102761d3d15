/**
 * `ocisign key list [--output json]`: the signing keys, as `notation key list` prints them (the
 * default key marked `* `).
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
import { outputArgs } from "../../_args.ts";
import type { CliIo } from "../../io.ts";
import { writeJson } from "../../output.ts";
import { renderGoTable } from "../../config/_go_table.ts";
import { readSigningKeys } from "../../config/signing_keys.ts";

const args = { ...outputArgs } as const satisfies ArgsDef;

/**
 * Builds `key list`.
 *
 * @example
 * ```ts ignore
 * import { keyListCommand } from "./list.ts";
 * const cmd = keyListCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function keyListCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: { name: "list", alias: "ls", description: "List the signing keys" },
    args,
    async run({ args }): Promise<void> {
      const keys = await readSigningKeys(io);
      if (args.output === "json") {
        writeJson(io, {
          default: keys.default ?? null,
          // pluginConfig may hold secrets: it is not shown, as notation does not show it.
          keys: keys.keys.map(({ pluginConfig: _, ...k }) => ({
            ...k,
            default: k.name === keys.default,
          })),
        });
        return;
      }
      io.stdout(renderGoTable([
        ["NAME", "KEY PATH", "CERTIFICATE PATH", "ID", "PLUGIN NAME"],
        ...keys.keys.map((k) => [
          k.name === keys.default ? `* ${k.name}` : k.name,
          k.keyPath ?? "",
          k.certPath ?? "",
          k.id ?? "",
          k.pluginName ?? "",
        ]),
      ]));
    },
  });
}
