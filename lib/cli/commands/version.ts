/**
 * `ocisign version`: the version (also `ocisign --version`).
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
import { outputArgs } from "../_args.ts";
import type { CliMeta } from "../_command_tree.ts";
import type { CliIo } from "../io.ts";
import { writeJson } from "../output.ts";
import { COMMIT, VERSION, versionLine } from "../version.ts";

const args = { ...outputArgs } as const satisfies ArgsDef;

const meta: CliMeta = {
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
