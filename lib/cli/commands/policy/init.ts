/**
 * `ocisign policy init --name N --scope S... --trust-store TYPE:NAME... --trusted-identity ID...
 * [--level strict] [--revocation skip|log|enforce] [--force]`: writes a one-statement trust policy document.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { AlreadyExistsError } from "../../../errors.ts";
import { TRUST_POLICY_VERSION, validateTrustPolicyDocument } from "../../../trust/trust_policy.ts";
import type { TrustPolicyDocument } from "../../../trust/trust_policy.ts";
import { outputArgs, UsageError } from "../../_args.ts";
import { writeResult } from "../../output.ts";
import type { CliIo } from "../../io.ts";
import { encodeConfigJson } from "../../config/_config_file.ts";
import { trustPolicyWritePath, writeTrustPolicyFile } from "../../config/trust_policy_file.ts";
import { repeatedFlag } from "../../_repeated_flag.ts";

const args = {
  name: { type: "string", description: "Name of the trust policy statement" },
  scope: {
    type: "string",
    description:
      "Registry scope, e.g. localhost:5000/hello-world, local/hello-world or * (repeatable)",
  },
  "trust-store": {
    type: "string",
    description: "Trust store as TYPE:NAME, e.g. ca:wabbit-networks.io (repeatable)",
  },
  "trusted-identity": {
    type: "string",
    description: 'Trusted identity, e.g. "x509.subject: C=US, ST=WA, O=Notary" or * (repeatable)',
  },
  level: {
    type: "enum",
    options: ["strict", "permissive", "audit", "skip"],
    default: "strict",
    description: "Signature verification level",
  },
  revocation: {
    type: "enum",
    options: ["skip", "log", "enforce"],
    description:
      "Override the level's revocation check (skip: for an offline station that cannot reach OCSP responders or CRLs)",
  },
  force: { type: "boolean", description: "Overwrite an existing trust policy" },
  ...outputArgs,
} as const satisfies ArgsDef;

/** The flags of `policy init`; `blob policy init` takes its trust flags from here. */
export const policyInitArgs: typeof args = args;

/**
 * Builds `policy init`.
 *
 * @example
 * ```ts ignore
 * import { policyInitCommand } from "./init.ts";
 * const cmd = policyInitCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function policyInitCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "init",
      description: "Write a trust policy with one statement",
      examples: [
        'ocisign policy init --name wabbit-networks-images --scope local/hello-world --trust-store ca:wabbit-networks.io --trusted-identity "*"',
        'ocisign policy init --name offline --scope "*" --trust-store ca:wabbit-networks.io --trusted-identity "*" --revocation skip',
      ],
    },
    args,
    async run({ args, rawArgs }): Promise<void> {
      if (!args.name) throw new UsageError("missing the statement name: use --name NAME");
      const registryScopes = repeatedFlag(rawArgs, ["scope"]);
      if (registryScopes.length === 0) {
        throw new UsageError("missing registry scopes: use --scope SCOPE");
      }
      const doc: TrustPolicyDocument = {
        version: TRUST_POLICY_VERSION,
        trustPolicies: [{
          name: args.name,
          registryScopes,
          signatureVerification: {
            level: args.level,
            ...(args.revocation ? { override: { revocation: args.revocation } } : {}),
          },
          trustStores: repeatedFlag(rawArgs, ["trust-store"]),
          trustedIdentities: repeatedFlag(rawArgs, ["trusted-identity"]),
        }],
      };
      validateTrustPolicyDocument(doc);
      const target = await trustPolicyWritePath(io);
      if (await io.fs.stat(target) !== undefined && args.force !== true) {
        throw new AlreadyExistsError(
          `The trust policy file ${target} already exists; use --force to overwrite it`,
        );
      }
      const path = await writeTrustPolicyFile(io, encodeConfigJson(doc));
      writeResult(io, args.output, `Successfully initialized trust policy file to ${path}.\n`, {
        path,
      });
    },
  });
}
