/**
 * `ocisign blob policy show`: prints `trustpolicy.blob.json` as it is; an invalid document is
 * still printed, with the validation error on stderr (as `notation blob policy show` does).
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { NotFoundError, OcisignError } from "../../../errors.ts";
import { parseBlobTrustPolicyDocument } from "../../../trust/blob_trust_policy.ts";
import { readBlobTrustPolicyFile } from "../../config/blob_trust_policy_file.ts";
import { writeResult } from "../../output.ts";
import { outputArgs } from "../../_args.ts";
import type { CliIo } from "../../io.ts";

const args = { ...outputArgs } as const satisfies ArgsDef;

/**
 * Builds `blob policy show`.
 *
 * @example
 * ```ts ignore
 * import { blobPolicyShowCommand } from "./policy_show.ts";
 * const cmd = blobPolicyShowCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function blobPolicyShowCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "show",
      description: "Show the blob trust policy",
      examples: ["ocisign blob policy show"],
    },
    args,
    async run({ args }): Promise<void> {
      const bytes = await readBlobTrustPolicyFile(io);
      if (bytes === undefined) {
        throw new NotFoundError(
          "failed to show blob trust policy as the configuration does not exist. You can import one using `ocisign blob policy import <path-to-policy.json>`",
        );
      }
      let valid = true;
      try {
        parseBlobTrustPolicyDocument(bytes);
      } catch (err) {
        if (!(err instanceof OcisignError)) throw err;
        valid = false;
        io.stderr(
          `Error: ${err.message}\nExisting blob trust policy configuration is invalid, you may update or create a new one via \`ocisign blob policy import <path-to-policy.json>\`\n`,
        );
      }
      const text = new TextDecoder().decode(bytes);
      writeResult(io, args.output, text, { valid, policy: valid ? JSON.parse(text) : null });
    },
  });
}
