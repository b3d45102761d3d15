/**
 * `ocisign version`: the version (also `ocisign --version`).
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgsDef, CommandDef, CommandMeta } from "../command.ts";
import { outputArgs } from "../_args.ts";
import type { CliIo } from "../io.ts";
import { writeJson } from "../output.ts";
import { COMMIT, VERSION, versionLine } from "../version.ts";

const args = { ...outputArgs } as const satisfies ArgsDef;

const meta: CommandMeta = {
  name: "version",
  description: "Show the ocisign version",
  examples: ["ocisign version", "ocisign version -o json"],
};

/**
 * Builds the `version` command.
 * @param io The environment.
 * @returns The command.
 */
export function versionCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta,
    args,
    run({ args }) {
      if (args.output === "json") {
        writeJson(io, { version: VERSION, ...(COMMIT ? { commit: COMMIT } : {}) });
      } else io.stdout(`${versionLine()}\n`);
    },
  });
}
