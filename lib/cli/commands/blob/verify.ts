/**
 * `ocisign blob verify --signature SIG FILE`: verifies a detached blob signature as
 * `notation blob verify` does, against the blob trust policy (`--policy-name`, else the global
 * policy) and the trust stores.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { signatureFormatOfFile } from "../../../blob/blob_signature_file.ts";
import { verifyBlob } from "../../../blob/verify_blob.ts";
import { MAX_ENVELOPE_BYTES } from "../../../signature/envelope.ts";
import { selectBlobTrustPolicy } from "../../../trust/blob_trust_policy.ts";
import { FsTrustStore } from "../../../trust/trust_store.ts";
import { loggedFailures } from "../../../verify/verification_outcome.ts";
import { outputArgs, parseKeyValues, UsageError } from "../../_args.ts";
import { cliRevocationClient } from "../../_revocation_client.ts";
import { cliVerificationPlugins, verifyPluginConfigArg } from "../../_verification_plugins.ts";
import { loadBlobTrustPolicy } from "../../config/blob_trust_policy_file.ts";
import { absolutePath, configPaths } from "../../config/config_dir.ts";
import type { CliIo } from "../../io.ts";
import { writeJson } from "../../output.ts";
import { warningsJson, writeVerified } from "../../_verify_report.ts";
import { checkBlobFile, withBlobStream } from "./_blob_file.ts";

const args = {
  file: { type: "positional", required: true, description: "The signed file" },
  signature: {
    type: "string",
    description: "The signature file, named <file>.<jws|cose>.sig (the name gives the format)",
  },
  "policy-name": {
    type: "string",
    description: "Blob trust policy statement to verify against (default: the global policy)",
  },
  "media-type": {
    type: "string",
    description: "Media type the file must have been signed with",
  },
  "user-metadata": {
    type: "string",
    alias: "m",
    description: "k=v pair that must be signed (repeatable)",
  },
  ...verifyPluginConfigArg,
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds `blob verify`.
 *
 * @example
 * ```ts ignore
 * import { blobVerifyCommand } from "./verify.ts";
 * const cmd = blobVerifyCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function blobVerifyCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "verify",
      description: "Verify a detached signature of a file",
      examples: [
        "ocisign blob verify --signature ./app.tar.gz.jws.sig ./app.tar.gz",
        "ocisign blob verify --signature ./sbom.json.cose.sig --policy-name sboms ./sbom.json",
      ],
    },
    args,
    async run({ args, rawArgs }): Promise<void> {
      if (!args.signature) throw new UsageError("filepath of the signature cannot be empty");
      const format = signatureFormatOfFile(args.signature);
      const metadata = parseKeyValues(rawArgs, ["user-metadata", "m"]);
      const policy = selectBlobTrustPolicy(await loadBlobTrustPolicy(io), args["policy-name"]);
      const signature = await io.fs.readFile(absolutePath(io.cwd, args.signature), {
        maxBytes: MAX_ENVELOPE_BYTES,
      });
      const path = await checkBlobFile(io, args.file);
      const result = await withBlobStream(io, path, (blob) =>
        verifyBlob(blob, signature, {
          format,
          policy,
          trustStore: new FsTrustStore(io.fs, configPaths(io).root),
          userMetadata: metadata,
          now: io.now(),
          // OCSP and CRL with notation's timeouts, CRLs cached until their nextUpdate
          revocationClient: cliRevocationClient(io),
          verificationPlugins: cliVerificationPlugins(
            io,
            parseKeyValues(rawArgs, ["plugin-config"]),
          ),
          hasher: io.hasher,
          signal: io.signal,
          ...(args["media-type"] !== undefined ? { mediaType: args["media-type"] } : {}),
        }));
      const warnings = result.outcome ? loggedFailures(result.outcome) : [];
      const signed = result.targetArtifact?.annotations ?? {};
      if (args.output === "json") {
        writeJson(io, {
          file: args.file,
          signature: args.signature,
          verified: !result.skipped,
          skipped: result.skipped,
          policy: policy.name,
          level: result.outcome?.level.name ?? "skip",
          targetArtifact: result.targetArtifact ?? null,
          warnings: warningsJson(warnings),
        });
        return;
      }
      if (result.skipped) {
        io.stdout(`Trust policy is configured to skip signature verification for ${args.file}\n`);
        return;
      }
      writeVerified(io, args.file, warnings, signed);
    },
  });
}
