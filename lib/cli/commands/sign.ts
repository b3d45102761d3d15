/**
 * `ocisign sign`: signs an artifact in a layout or a registry.
 *
 * @module
 */
import { defineCommand } from "citty";
import type { ArgsDef, CommandDef } from "citty";
import { isDigest } from "../../digest/digest.ts";
import { signArtifact } from "../../sign/sign_artifact.ts";
import { artifactArgs, outputArgs, parseKeyValues, registryArgs } from "../_args.ts";
import { parseDurationSeconds } from "../_duration.ts";
import { loadSigner } from "../_signer.ts";
import { closeTarget, openTarget } from "../_target.ts";
import type { CliIo } from "../io.ts";
import { VERSION } from "../version.ts";
import { writeJson } from "../output.ts";

const args = {
  ...artifactArgs,
  key: { type: "string", alias: "k", description: "Signing key name (default: the default key)" },
  "signature-format": {
    type: "enum",
    options: ["jws", "cose"],
    default: "jws",
    description: "Signature envelope format",
  },
  expiry: { type: "string", alias: "e", description: "Signature lifetime, e.g. 24h, 30m" },
  "user-metadata": {
    type: "string",
    alias: "m",
    description: "k=v pair signed into the payload (repeatable)",
  },
  "artifact-type-manifest": {
    type: "boolean",
    description: "Write the notation 2.x signature manifest (artifactType + empty config)",
  },
  "force-referrers-tag": {
    type: "boolean",
    description:
      "Index the signature with the referrers tag schema even if the registry has the referrers API",
  },
  ...registryArgs,
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds the `sign` command.
 * @param io The environment.
 * @returns The command.
 */
export function signCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "sign",
      description: "Sign an artifact in an OCI layout (--oci-layout) or a registry",
    },
    args,
    async run({ args, rawArgs }) {
      const metadata = parseKeyValues(rawArgs, ["user-metadata", "m"]);
      const expirySeconds = args.expiry === undefined
        ? undefined
        : parseDurationSeconds(args.expiry, "expiry");
      const signer = await loadSigner(io, args.key);
      const opened = await openTarget(io, args.reference, {
        ociLayout: Boolean(args["oci-layout"]),
        flags: args,
        referrers: args["force-referrers-tag"] ? "tag" : "auto",
      });
      let committed = false;
      try {
        if (!isDigest(opened.reference)) {
          io.stderr(
            `Warning: Always sign the artifact using digest(@sha256:...) rather than a tag(:${opened.reference}) because tags are mutable and a tag reference can point to a different artifact than the one signed.\n`,
          );
        }
        const result = await signArtifact(opened.target, opened.reference, {
          signer,
          format: args["signature-format"] as "jws" | "cose",
          signingTime: io.now(),
          userMetadata: metadata,
          signingAgent: `ocisign/${VERSION}`,
          manifestShape: args["artifact-type-manifest"] ? "v2" : "v1",
          signal: io.signal,
          ...(expirySeconds !== undefined ? { expirySeconds } : {}),
        });
        await closeTarget(opened, true);
        committed = true;
        const subjectRef = `${opened.name}@${result.subject.digest}`;
        if (args.output === "json") {
          writeJson(io, {
            reference: subjectRef,
            subject: result.subject,
            signature: result.signature,
            envelope: result.envelope,
          });
        } else {
          io.stdout(`Successfully signed ${subjectRef}\n`);
          io.stdout(`Pushed the signature to ${opened.name}@${result.signature.digest}\n`);
        }
      } finally {
        if (!committed) await closeTarget(opened, false);
      }
    },
  });
}
