/**
 * `ocisign list`: the signatures of an artifact, as a tree like notation's.
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
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
import { renderTree, writeJson } from "../output.ts";

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
    meta: { name: "list", description: "List the signatures of an artifact" },
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
        const result = await listSignatures(opened.target, opened.reference, {
          maxSignatures: max,
          signal: io.signal,
        });
        const ref = `${opened.name}@${result.subject.digest}`;
        if (args.output === "json") {
          writeJson(io, {
            reference: ref,
            subject: result.subject,
            signatures: result.signatures,
            exceeded: result.exceeded,
          });
          return;
        }
        if (result.signatures.length === 0) {
          io.stdout(`${ref} has no associated signature\n`);
          return;
        }
        io.stdout(renderTree({
          label: ref,
          children: [{
            label: MEDIA_TYPE_NOTARY_SIGNATURE,
            children: result.signatures.map((s) => ({ label: s.digest })),
          }],
        }));
        if (result.exceeded) {
          io.stdout(`Warning: exceeded configured limit of max signatures ${max} to examine\n`);
        }
      } finally {
        await closeTarget(opened, false);
      }
    },
  });
}
