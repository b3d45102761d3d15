/**
 * `ocisign blob policy init --name N --trust-store TYPE:NAME... --trusted-identity ID...
 * [--global] [--force]`: writes a one-statement blob trust policy (level strict), as
 * `notation blob policy init` does.
 *
 * @module
 */
import { defineCommand } from "citty";
import type { ArgsDef, CommandDef } from "citty";
import { AlreadyExistsError } from "../../../errors.ts";
import { validateBlobTrustPolicyDocument } from "../../../trust/blob_trust_policy.ts";
import type { BlobTrustPolicyDocument } from "../../../trust/blob_trust_policy.ts";
import { TRUST_POLICY_VERSION } from "../../../trust/trust_policy.ts";
import { UsageError } from "../../_args.ts";
import { repeatedFlag } from "../../_repeated_flag.ts";
import { encodeConfigJson } from "../../config/_config_file.ts";
import {
  blobTrustPolicyPath,
  writeBlobTrustPolicyFile,
} from "../../config/blob_trust_policy_file.ts";
import type { CliIo } from "../../io.ts";

const args = {
  name: { type: "string", alias: "n", description: "Name of the blob trust policy statement" },
  "trust-store": {
    type: "string",
    description: "Trust store as TYPE:NAME, e.g. ca:wabbit-networks.io (repeatable)",
  },
  "trusted-identity": {
    type: "string",
    description: 'Trusted identity, e.g. "x509.subject: C=US, ST=WA, O=Notary" or * (repeatable)',
  },
  global: {
    type: "boolean",
    description: "Make it the global policy (used without --policy-name)",
  },
  force: { type: "boolean", description: "Overwrite an existing blob trust policy" },
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
    meta: { name: "init", description: "Write a blob trust policy with one strict statement" },
    args,
    async run({ args, rawArgs }): Promise<void> {
      if (!args.name) throw new UsageError("missing the statement name: use --name NAME");
      const doc: BlobTrustPolicyDocument = {
        version: TRUST_POLICY_VERSION,
        trustPolicies: [{
          name: args.name,
          signatureVerification: { level: "strict" },
          trustStores: repeatedFlag(rawArgs, ["trust-store"]),
          trustedIdentities: repeatedFlag(rawArgs, ["trusted-identity"]),
          ...(args.global === true ? { globalPolicy: true } : {}),
        }],
      };
      validateBlobTrustPolicyDocument(doc);
      const target = blobTrustPolicyPath(io);
      if (await io.fs.stat(target) !== undefined) {
        if (args.force !== true) {
          throw new AlreadyExistsError(
            `The blob trust policy file ${target} already exists; use --force to overwrite it`,
          );
        }
        io.stderr("Warning: existing blob trust policy configuration will be overwritten\n");
      }
      const path = await writeBlobTrustPolicyFile(io, encodeConfigJson(doc));
      io.stdout(`Successfully initialized blob trust policy file to ${path}.\n`);
    },
  });
}
