/**
 * `ocisign list`: the signatures of an artifact, as a tree like notation's.
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgsDef, CommandDef } from "../command.ts";
import { isDigest } from "../../digest/digest.ts";
import { MEDIA_TYPE_NOTARY_SIGNATURE } from "../../oci/media_types.ts";
import { listSignatures } from "../../verify/list_signatures.ts";
import {
  artifactArgs,
  maxSignaturesArgs,
  outputArgs,
  parsePositiveInt,
  registryArgs,
} from "../_args.ts";
import { closeTarget, openTarget } from "../_target.ts";
import type { CliIo } from "../io.ts";
import { renderTree, reportResolved, writeJson } from "../output.ts";
import type { TreeNode } from "../output.ts";
import { platformManifests } from "../../content/platform_manifests.ts";
import type { Descriptor } from "../../oci/descriptor.ts";

const args = {
  ...artifactArgs,
  ...maxSignaturesArgs,
  ...registryArgs,
  ...outputArgs,
} as const satisfies ArgsDef;

/**
 * Builds the `list` command.
 * @param io The environment.
 * @returns The command.
 */
export function listCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "list",
      description: "List the signatures of an artifact",
      examples: [
        "ocisign list localhost:5000/hello-world:v1",
        "ocisign list --oci-layout ./hello-world:v1 -o json",
      ],
    },
    args,
    async run({ args }) {
      const max = parsePositiveInt(args["max-signatures"], "max-signatures", 100);
      const opened = await openTarget(io, args.reference, {
        ociLayout: Boolean(args["oci-layout"]),
        flags: args,
      });
      try {
        if (!isDigest(opened.reference)) {
          io.stderr(
            `Warning: Always list the artifact using digest(@sha256:...) rather than a tag(:${opened.reference}) because resolved digest may not point to the same signed artifact, as tags are mutable.\n`,
          );
        }
        const op = { maxSignatures: max, signal: io.signal };
        const result = await listSignatures(opened.target, opened.reference, op);
        const ref = `${opened.name}@${result.subject.digest}`;
        reportResolved(io, opened.name, opened.reference, result.subject.digest);
        // An index: each platform manifest's signatures too.
        const platforms = [];
        const listed = await platformManifests(opened.target, result.subject, op);
        for (const m of listed) {
          const sigs = await listSignatures(opened.target, m.descriptor.digest, op);
          platforms.push({ platform: m.platform, ...sigs });
        }
        const exceeded = result.exceeded || platforms.some((p) => p.exceeded);
        if (args.output === "json") {
          writeJson(io, {
            reference: ref,
            subject: result.subject,
            signatures: result.signatures,
            exceeded: result.exceeded,
            ...(listed.length > 0
              ? {
                manifests: platforms.map((p) => ({
                  platform: p.platform,
                  subject: p.subject,
                  signatures: p.signatures,
                  exceeded: p.exceeded,
                })),
              }
              : {}),
          });
          return;
        }
        const total = result.signatures.length +
          platforms.reduce((n, p) => n + p.signatures.length, 0);
        if (total === 0) {
          io.stdout(`${ref} has no associated signature\n`);
          return;
        }
        const signatureNode = (sigs: Descriptor[]): TreeNode[] =>
          sigs.length === 0 ? [] : [{
            label: MEDIA_TYPE_NOTARY_SIGNATURE,
            children: sigs.map((s) => ({ label: s.digest })),
          }];
        io.stdout(renderTree({
          label: ref,
          children: [
            ...signatureNode(result.signatures),
            ...platforms.map((p) => ({
              label: `${p.platform ?? "(no platform)"} ${p.subject.digest}${
                p.signatures.length === 0 ? " (unsigned)" : ""
              }`,
              children: signatureNode(p.signatures),
            })),
          ],
        }));
        if (exceeded) {
          io.stdout(`Warning: exceeded configured limit of max signatures ${max} to examine\n`);
        }
      } finally {
        await closeTarget(opened, false);
      }
    },
  });
}
