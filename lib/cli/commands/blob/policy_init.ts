/**
 * `ocisign blob policy init --name N --trust-store TYPE:NAME... --trusted-identity ID...
 * [--revocation skip|log|enforce] [--global] [--force]`: writes a one-statement blob trust
 * policy (level strict), as
 * `notation blob policy init` does.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { validateBlobTrustPolicyDocument } from "../../../trust/blob_trust_policy.ts";
import type { BlobTrustPolicyDocument } from "../../../trust/blob_trust_policy.ts";
import { TRUST_POLICY_VERSION } from "../../../trust/trust_policy.ts";
import { outputArgs, UsageError } from "../../_args.ts";
import { repeatedFlag } from "../../_repeated_flag.ts";
import { encodeConfigJson } from "../../config/_config_file.ts";
import { writeBlobTrustPolicyFile } from "../../config/blob_trust_policy_file.ts";
import { writeResult } from "../../output.ts";
import type { CliIo } from "../../io.ts";
import { policyInitArgs } from "../policy/init.ts";

const args = {
  name: { type: "string", alias: "n", description: "Name of the blob trust policy statement" },
  "trust-store": policyInitArgs["trust-store"],
  "trusted-identity": policyInitArgs["trusted-identity"],
  revocation: policyInitArgs.revocation,
  global: {
    type: "boolean",
    description: "Make it the global policy (used without --policy-name)",
  },
  force: { type: "boolean", description: "Overwrite an existing blob trust policy" },
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `blob policy init`.
 *
 * @example
 * ```ts ignore
 * import { blobPolicyInitCommand } from "./policy_init.ts";
 * const cmd = blobPolicyInitCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function blobPolicyInitCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "init",
      description: "Write a blob trust policy with one strict statement",
      examples: [
        'ocisign blob policy init --name releases --trust-store ca:wabbit-networks.io --trusted-identity "x509.subject: CN=wabbit-networks.io" --global',
      ],
    },
    args,
    async run({ args, rawArgs }): Promise<void> {
      if (!args.name) throw new UsageError("missing the statement name: use --name NAME");
      const doc: BlobTrustPolicyDocument = {
        version: TRUST_POLICY_VERSION,
        trustPolicies: [{
          name: args.name,
          signatureVerification: {
            level: "strict",
            ...(args.revocation ? { override: { revocation: args.revocation } } : {}),
          },
          trustStores: repeatedFlag(rawArgs, ["trust-store"]),
          trustedIdentities: repeatedFlag(rawArgs, ["trusted-identity"]),
          ...(args.global === true ? { globalPolicy: true } : {}),
        }],
      };
      validateBlobTrustPolicyDocument(doc);
      const path = await writeBlobTrustPolicyFile(io, encodeConfigJson(doc), args.force === true);
      const text = `Successfully initialized blob trust policy file to ${path}.\n`;
      writeResult(io, args.output, text, { path });
    },
  });
}
