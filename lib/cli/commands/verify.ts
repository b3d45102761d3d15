/**
 * `ocisign verify`: verifies an artifact's signatures against the trust policy and stores.
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgsDef, CommandDef } from "../command.ts";
import { isDigest } from "../../digest/digest.ts";
import { parsePlatform } from "../../oci/platform.ts";
import { FsTrustStore } from "../../trust/trust_store.ts";
import { loggedFailures } from "../../verify/verification_outcome.ts";
import { verifyArtifact } from "../../verify/verify_artifact.ts";
import type { VerifyContentResult } from "../../verify/verify_content.ts";
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
import { cliVerificationPlugins, verifyPluginConfigArg } from "../_verification_plugins.ts";
import { closeTarget, openTarget } from "../_target.ts";
import { configPaths } from "../config/config_dir.ts";
import { loadTrustPolicy } from "../config/trust_policy_file.ts";
import type { CliIo } from "../io.ts";
import { reportResolved, writeJson } from "../output.ts";
import { progressView, shortDigest } from "../progress.ts";
import type { Descriptor } from "../../oci/descriptor.ts";
import { warningsJson, writeVerified } from "../_verify_report.ts";

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
  deep: {
    type: "boolean",
    description:
      "After the signature passes, read every manifest, config and layer the artifact reaches and check each against its digest and size (a layout reads local disk; a registry downloads and discards everything). Default: on for --oci-layout, off for registries; --deep=false turns it off",
  },
  platform: {
    type: "string",
    description:
      "For an image index: also verify the signature of this platform's manifest, os/arch[/variant] (and check only its content)",
  },
  concurrency: {
    type: "string",
    description: "Blobs read at once when checking the content (default 3)",
  },
  ...registryArgs,
  ...verifyPluginConfigArg,
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds the `verify` command.
 * @param io The environment.
 * @returns The command.
 */
export function verifyCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "verify",
      description: "Verify the signatures of an artifact",
      examples: [
        "ocisign verify localhost:5000/hello-world@sha256:...",
        "# A layout, with the trust policy scope and a required user metadata pair",
        "ocisign verify --oci-layout ./hello-world:v1 --scope local/hello-world -m buildId=123",
      ],
    },
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
      const concurrency = parsePositiveInt(args.concurrency, "concurrency", 3);
      // Local disk is cheap, and "verified" should mean "safe to run": deep by default there.
      const deep = args.deep ?? layout;
      const policyDocument = await loadTrustPolicy(io);
      const opened = await openTarget(io, args.reference, { ociLayout: layout, flags: args });
      // Per-blob progress on a terminal; in a log only when --deep was asked for (stderr stays
      // as notation's otherwise).
      const shown = args.output !== "json" && (io.isTty || args.deep === true);
      const view = progressView(io, !shown);
      const onProgress = (desc: Descriptor, bytes: number): void => {
        const what = `${shortDigest(desc.digest)} ${desc.mediaType}`;
        if (bytes === desc.size) view.finish(desc.digest, `Verified  ${what}`);
        else view.bytes(desc.digest, `Verifying ${what}`, bytes, desc.size);
      };
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
          verificationPlugins: cliVerificationPlugins(
            io,
            parseKeyValues(rawArgs, ["plugin-config"]),
          ),
          deep,
          concurrency,
          ...(args.platform ? { platform: parsePlatform(args.platform) } : {}),
          hasher: io.hasher,
          signal: io.signal,
          ...(deep && shown ? { onProgress } : {}),
        });
        const ref = `${opened.name}@${result.subject.digest}`;
        reportResolved(io, opened.name, opened.reference, result.subject.digest);
        if (io.verbose) {
          io.stderr(
            `Trust policy statement "${result.policy.name}" applies (level ${result.level.name})\n`,
          );
          if (result.signature) io.stderr(`Signature ${result.signature.digest} passed:\n`);
          for (const r of result.outcome?.results ?? []) {
            const state = r.action === "skip"
              ? "skipped"
              : r.error
              ? `failed (${r.action})`
              : "passed";
            io.stderr(`  ${r.type}: ${state}${r.note ? ` (${r.note})` : ""}\n`);
          }
        }
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
            platform: result.platform
              ? {
                platform: result.platform.platform,
                reference: `${opened.name}@${result.platform.result.subject.digest}`,
                signature: result.platform.result.signature,
              }
              : undefined,
            content: result.content
              ? {
                deep: result.content.deep,
                manifests: result.content.manifests,
                blobs: result.content.blobs,
                bytes: result.content.bytes,
              }
              : undefined,
            warnings: warningsJson(warnings),
          });
          return;
        }
        if (result.skipped) {
          io.stdout(`Trust policy is configured to skip signature verification for ${ref}\n`);
          return;
        }
        const platform = result.platform;
        writeVerified(
          io,
          ref,
          warnings,
          signed,
          platform
            ? [
              `Successfully verified signature for ${opened.name}@${platform.result.subject.digest} (${platform.platform})`,
            ]
            : [],
        );
        // Asked for explicitly: say what was read (stderr stays as notation's otherwise).
        if (result.content && args.deep === true) io.stderr(contentSummary(result.content));
      } finally {
        view.close();
        await closeTarget(opened, false);
      }
    },
  });
}

function contentSummary(content: VerifyContentResult): string {
  const blobs = content.deep ? ` and ${content.blobs} blob(s)` : "";
  const hint = content.deep ? "" : " (configs and layers not read; --deep reads them)";
  return `Checked ${content.manifests} manifest(s)${blobs}, ${content.bytes} bytes: all match their signed digests${hint}\n`;
}
