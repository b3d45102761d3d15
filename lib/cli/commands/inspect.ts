/**
 * `ocisign inspect`: what each signature of an artifact claims (unverified), as notation shows it.
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgsDef, CommandDef } from "../command.ts";
import { OcisignError } from "../../errors.ts";
import { MEDIA_TYPE_NOTARY_SIGNATURE } from "../../oci/media_types.ts";
import { inspectSignatures } from "../../verify/inspect_signatures.ts";
import type { CertificateSummary, SignatureInspection } from "../../verify/inspect_signatures.ts";
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

const args = {
  ...artifactArgs,
  ...maxSignaturesArgs,
  ...registryArgs,
  ...outputArgs,
} as const satisfies ArgsDef;

function iso(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function certificateNode(c: CertificateSummary): TreeNode {
  return {
    label: `SHA256 fingerprint: ${c.sha256Fingerprint}`,
    children: [
      { label: `issued to: ${c.issuedTo}` },
      { label: `issued by: ${c.issuedBy}` },
      { label: `valid from: ${iso(c.notBefore)}` },
      { label: `expiry: ${iso(c.notAfter)}` },
    ],
  };
}

function certificateJson(c: CertificateSummary): Record<string, string> {
  return {
    SHA256Fingerprint: c.sha256Fingerprint,
    issuedTo: c.issuedTo,
    issuedBy: c.issuedBy,
    validFrom: iso(c.notBefore),
    expiry: iso(c.notAfter),
  };
}

function timestampNode(t: NonNullable<SignatureInspection["timestamp"]>): TreeNode {
  if ("error" in t) {
    return { label: "timestamp signature", children: [{ label: `error: ${t.error.message}` }] };
  }
  return {
    label: "timestamp signature",
    children: [
      { label: `timestamp: [${iso(t.earliest)}, ${iso(t.latest)}]` },
      { label: "certificates", children: t.certificates.map(certificateNode) },
    ],
  };
}

function timestampJson(t: NonNullable<SignatureInspection["timestamp"]>): Record<string, unknown> {
  if ("error" in t) return { error: t.error.message };
  return {
    timestamp: `[${iso(t.earliest)}, ${iso(t.latest)}]`,
    certificates: t.certificates.map(certificateJson),
  };
}

function signatureNode(s: SignatureInspection): TreeNode {
  const signed: TreeNode[] = [
    { label: `signingScheme: ${s.signingScheme}` },
    { label: `signingTime: ${iso(s.signingTime)}` },
  ];
  if (s.expiry) signed.push({ label: `expiry: ${iso(s.expiry)}` });
  for (const [k, v] of Object.entries(s.extendedAttributes)) {
    signed.push({ label: `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}` });
  }
  const user = Object.entries(s.userMetadata ?? {});
  const unsigned: TreeNode[] = [];
  if (s.signingAgent !== undefined) unsigned.push({ label: `signingAgent: ${s.signingAgent}` });
  if (s.timestamp) unsigned.push(timestampNode(s.timestamp));
  return {
    label: s.digest,
    children: [
      { label: `media type: ${s.mediaType}` },
      { label: `signature algorithm: ${s.signatureAlgorithm}` },
      { label: "signed attributes", children: signed },
      {
        label: "user defined attributes",
        children: user.length
          ? user.map(([k, v]) => ({ label: `${k}: ${v}` }))
          : [{ label: "(empty)" }],
      },
      {
        label: "unsigned attributes",
        children: unsigned.length ? unsigned : [{ label: "(empty)" }],
      },
      {
        label: "certificates",
        children: s.certificates.map(certificateNode),
      },
      {
        label: "signed artifact",
        children: [
          { label: `media type: ${s.signedArtifact.mediaType}` },
          { label: `digest: ${s.signedArtifact.digest}` },
          { label: `size: ${s.signedArtifact.size}` },
        ],
      },
    ],
  };
}

function signatureJson(s: SignatureInspection): Record<string, unknown> {
  return {
    mediaType: s.mediaType,
    digest: s.digest,
    signatureAlgorithm: s.signatureAlgorithm,
    signedAttributes: {
      signingScheme: s.signingScheme,
      signingTime: iso(s.signingTime),
      ...(s.expiry ? { expiry: iso(s.expiry) } : {}),
      ...s.extendedAttributes,
    },
    userDefinedAttributes: s.userMetadata ?? null,
    unsignedAttributes: {
      ...(s.signingAgent !== undefined ? { signingAgent: s.signingAgent } : {}),
      ...(s.timestamp ? { timestampSignature: timestampJson(s.timestamp) } : {}),
    },
    certificates: s.certificates.map(certificateJson),
    signedArtifact: s.signedArtifact,
  };
}

/**
 * Builds the `inspect` command.
 * @param io The environment.
 * @returns The command.
 */
export function inspectCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "inspect",
      description: "Show what the signatures of an artifact claim",
      examples: [
        "ocisign inspect localhost:5000/hello-world:v1",
        "ocisign inspect --oci-layout ./hello-world:v1 -o json",
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
        const result = await inspectSignatures(opened.target, opened.reference, {
          maxSignatures: max,
          signal: io.signal,
        });
        const ref = `${opened.name}@${result.subject.digest}`;
        reportResolved(io, opened.name, opened.reference, result.subject.digest);
        const good = result.signatures.filter((s): s is SignatureInspection => !("error" in s));
        const bad = result.signatures.filter((s) => "error" in s);
        for (const b of bad) {
          io.stderr(
            `Warning: Skipping signature ${b.digest} because of error: ${
              "error" in b ? b.error.message : ""
            }\n`,
          );
        }
        if (args.output === "json") {
          writeJson(io, {
            reference: ref,
            mediaType: result.subject.mediaType,
            Signatures: good.map(signatureJson),
          });
        } else if (result.signatures.length === 0) {
          io.stdout(`${ref} has no associated signature\n`);
        } else {
          io.stdout("Inspecting all signatures for signed artifact\n");
          io.stdout(renderTree({
            label: ref,
            children: [{ label: MEDIA_TYPE_NOTARY_SIGNATURE, children: good.map(signatureNode) }],
          }));
        }
        if (bad.length > 0) {
          throw new OcisignError(
            "ERR_ENVELOPE_INVALID",
            "at least one signature was skipped and not displayed",
          );
        }
      } finally {
        await closeTarget(opened, false);
      }
    },
  });
}
