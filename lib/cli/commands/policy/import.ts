/**
 * `ocisign policy import FILE [--force]`: validates a trust policy document and installs it as
 * the configuration directory's trust policy, as `notation policy import` does.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { AlreadyExistsError, OcisignError, TrustPolicyError } from "../../../errors.ts";
import { parseTrustPolicyDocument } from "../../../trust/trust_policy.ts";
import { writeResult } from "../../output.ts";
import { outputArgs } from "../../_args.ts";
import type { CliIo } from "../../io.ts";
import { MAX_CONFIG_FILE_BYTES } from "../../config/_config_file.ts";
import { absolutePath } from "../../config/config_dir.ts";
import { trustPolicyWritePath, writeTrustPolicyFile } from "../../config/trust_policy_file.ts";

const args = {
  file: { type: "positional", description: "The trust policy JSON file", required: true },
  force: { type: "boolean", description: "Overwrite an existing trust policy" },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `policy import`.
 *
 * @example
 * ```ts ignore
 * import { policyImportCommand } from "./import.ts";
 * const cmd = policyImportCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function policyImportCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "import",
      description: "Import a trust policy document (validated first)",
      examples: [
        "ocisign policy import ./trustpolicy.json",
        "ocisign policy import --force ./trustpolicy.json",
      ],
    },
    args,
    async run({ args }): Promise<void> {
      const bytes = await io.fs.readFile(absolutePath(io.cwd, args.file), {
        maxBytes: MAX_CONFIG_FILE_BYTES,
      });
      try {
        parseTrustPolicyDocument(bytes);
      } catch (err) {
        if (!(err instanceof OcisignError)) throw err;
        throw new TrustPolicyError(`failed to validate trust policy: ${err.message}`, {
          cause: err,
          ...(err.details ? { details: err.details } : {}),
        });
      }
      const target = await trustPolicyWritePath(io);
      if (await io.fs.stat(target) !== undefined) {
        if (args.force !== true) {
          throw new AlreadyExistsError(
            `The trust policy file ${target} already exists; use --force to overwrite it`,
          );
        }
        io.stderr("Warning: existing trust policy configuration file will be overwritten\n");
      }
      await writeTrustPolicyFile(io, bytes);
      writeResult(io, args.output, "Trust policy configuration imported successfully.\n", {
        path: target,
      });
    },
  });
}
