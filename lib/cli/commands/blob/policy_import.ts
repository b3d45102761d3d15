/**
 * `ocisign blob policy import FILE [--force]`: validates a blob trust policy document and
 * installs it as `trustpolicy.blob.json`, as `notation blob policy import` does.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { OcisignError, TrustPolicyError } from "../../../errors.ts";
import { parseBlobTrustPolicyDocument } from "../../../trust/blob_trust_policy.ts";
import { MAX_CONFIG_FILE_BYTES } from "../../config/_config_file.ts";
import { writeBlobTrustPolicyFile } from "../../config/blob_trust_policy_file.ts";
import { absolutePath } from "../../config/config_dir.ts";
import { writeResult } from "../../output.ts";
import { outputArgs } from "../../_args.ts";
import type { CliIo } from "../../io.ts";

const args = {
  file: { type: "positional", description: "The blob trust policy JSON file", required: true },
  force: { type: "boolean", description: "Overwrite an existing blob trust policy" },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `blob policy import`.
 *
 * @example
 * ```ts ignore
 * import { blobPolicyImportCommand } from "./policy_import.ts";
 * const cmd = blobPolicyImportCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function blobPolicyImportCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "import",
      description: "Import a blob trust policy document (validated first)",
      examples: ["ocisign blob policy import ./trustpolicy.blob.json"],
    },
    args,
    async run({ args }): Promise<void> {
      const bytes = await io.fs.readFile(absolutePath(io.cwd, args.file), {
        maxBytes: MAX_CONFIG_FILE_BYTES,
      });
      try {
        parseBlobTrustPolicyDocument(bytes);
      } catch (err) {
        if (!(err instanceof OcisignError)) throw err;
        throw new TrustPolicyError(
          `failed to validate blob trust policy configuration: ${err.message}`,
          { cause: err, ...(err.details ? { details: err.details } : {}) },
        );
      }
      const path = await writeBlobTrustPolicyFile(io, bytes, args.force === true);
      const text = `Successfully imported blob trust policy configuration to ${path}.\n`;
      writeResult(io, args.output, text, { path });
    },
  });
}
