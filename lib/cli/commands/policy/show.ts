/**
 * `ocisign policy show`: prints the trust policy file as it is; an invalid document is still
 * printed, with the validation error on stderr (as `notation policy show` does).
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { OcisignError } from "../../../errors.ts";
import { parseTrustPolicyDocument } from "../../../trust/trust_policy.ts";
import { writeResult } from "../../output.ts";
import { outputArgs } from "../../_args.ts";
import type { CliIo } from "../../io.ts";
import { readTrustPolicyFile } from "../../config/trust_policy_file.ts";

const args = { ...outputArgs } as const satisfies ArgsDef;

/**
 * Builds `policy show`.
 *
 * @example
 * ```ts ignore
 * import { policyShowCommand } from "./show.ts";
 * const cmd = policyShowCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function policyShowCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "show",
      description: "Show the trust policy",
      examples: [
        "ocisign policy show",
      ],
    },
    args,
    async run({ args }): Promise<void> {
      const { bytes } = await readTrustPolicyFile(io);
      let valid = true;
      try {
        parseTrustPolicyDocument(bytes);
      } catch (err) {
        if (!(err instanceof OcisignError)) throw err;
        valid = false;
        io.stderr(
          `Error: ${err.message}\nExisting trust policy configuration is invalid, you may update or create a new one via \`ocisign policy import <path-to-policy.json>\`\n`,
        );
      }
      const text = new TextDecoder().decode(bytes);
      writeResult(io, args.output, text, { valid, policy: valid ? JSON.parse(text) : null });
    },
  });
}
