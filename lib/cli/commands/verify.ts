/**
 * `ocisign verify`: verifies an artifact's signatures against the trust policy and stores.
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
import { isDigest } from "../../digest/digest.ts";
import { FsTrustStore } from "../../trust/trust_store.ts";
import { loggedFailures } from "../../verify/verification_outcome.ts";
import { verifyArtifact } from "../../verify/verify_artifact.ts";
import {
  artifactArgs,
  maxSignaturesArgs,
  outputArgs,
  parseKeyValues,
  parsePositiveInt,
  registryArgs,
  UsageError,
} from "../_args.ts";
import { cliRevocationClient } from "../_revocation_client.ts";
import { closeTarget, openTarget } from "../_target.ts";
import { configPaths } from "../config/config_dir.ts";
import { loadTrustPolicy } from "../config/trust_policy_file.ts";
import { renderGoTable } from "../config/_go_table.ts";
import type { CliIo } from "../io.ts";
import { writeJson } from "../output.ts";

const args = {
  ...artifactArgs,
  ...maxSignaturesArgs,
  scope: {
    type: "string",
    description:
      "With --oci-layout: the repository the trust policy is selected for (e.g. local/hello-world)",
  },
  "user-metadata": {
    type: "string",
    alias: "m",
    description: "k=v pair that must be signed (repeatable)",
  },
  ...registryArgs,
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds the `verify` command.
 * @param io The environment.
 * @returns The command.
 */
export function verifyCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: { name: "verify", description: "Verify the signatures of an artifact" },
    args,
    async run({ args, rawArgs }) {
      const layout = Boolean(args["oci-layout"]);
      if (layout && !args.scope) {
        throw new UsageError(
          "--scope is required with --oci-layout: name the repository the trust policy applies to, e.g. --scope local/hello-world",
        );
      }
      const metadata = parseKeyValues(rawArgs, ["user-metadata", "m"]);
      const max = parsePositiveInt(args["max-signatures"], "max-signatures", 100);
      const policyDocument = await loadTrustPolicy(io);
      const opened = await openTarget(io, args.reference, { ociLayout: layout, flags: args });
      try {
        if (!isDigest(opened.reference)) {
          io.stderr(
            `Warning: Always verify the artifact using digest(@sha256:...) rather than a tag(:${opened.reference}) because resolved digest may not point to the same signed artifact, as tags are mutable.\n`,
          );
        }
        const result = await verifyArtifact(opened.target, opened.reference, {
          scope: args.scope ?? opened.name,
          policyDocument,
          trustStore: new FsTrustStore(io.fs, configPaths(io).root),
          maxSignatures: max,
          userMetadata: metadata,
          now: io.now(),
          // OCSP and CRL with notation's timeouts, CRLs cached until their nextUpdate
          revocationClient: cliRevocationClient(io),
          signal: io.signal,
        });
        const ref = `${opened.name}@${result.subject.digest}`;
        const warnings = result.outcome ? loggedFailures(result.outcome) : [];
        const signed = result.outcome?.targetArtifact?.annotations ?? {};
        if (args.output === "json") {
          writeJson(io, {
            reference: ref,
            verified: !result.skipped,
            skipped: result.skipped,
            policy: result.policy.name,
            level: result.level,
            signature: result.signature,
            userMetadata: signed,
            warnings: warnings.map((w) => ({
              type: w.type,
              action: w.action,
              message: w.error?.message,
            })),
          });
          return;
        }
        if (result.skipped) {
          io.stdout(`Trust policy is configured to skip signature verification for ${ref}\n`);
          return;
        }
        for (const w of warnings) {
          io.stderr(
            `Warning: ${w.type} was set to "${w.action}" and failed with error: ${w.error?.message}\n`,
          );
        }
        io.stdout(`Successfully verified signature for ${ref}\n`);
        const keys = Object.keys(signed).sort();
        if (keys.length > 0) {
          io.stdout("\nThe artifact was signed with the following user metadata.\n\n");
          io.stdout(renderGoTable([["KEY", "VALUE"], ...keys.map((k) => [k, signed[k]!])]));
        }
      } finally {
        await closeTarget(opened, false);
      }
    },
  });
}
