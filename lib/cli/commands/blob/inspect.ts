/**
 * `ocisign blob inspect [-o tree|json] SIG`: what a detached blob signature claims (unverified),
 * in the shape `notation blob inspect` prints.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { signatureFormatOfFile } from "../../../blob/blob_signature_file.ts";
import { digestBytes } from "../../../digest/digest_bytes.ts";
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from "../../../oci/media_types.ts";
import { MAX_ENVELOPE_BYTES } from "../../../signature/envelope.ts";
import { parseEnvelope } from "../../../signature/parse_envelope.ts";
import { inspectEnvelope } from "../../../verify/inspect_signatures.ts";
import type {
  CertificateSummary,
  SignatureInspection,
} from "../../../verify/inspect_signatures.ts";
import { absolutePath } from "../../config/config_dir.ts";
import type { CliIo } from "../../io.ts";
import { renderTree, writeJson } from "../../output.ts";
import type { TreeNode } from "../../output.ts";

const args = {
  signature: { type: "positional", required: true, description: "The signature file" },
  output: {
    type: "enum",
    options: ["tree", "json"],
    default: "tree",
    alias: "o",
    description: "Output format",
  },
} as const satisfies ArgsDef;

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Go's `time.ANSIC` layout in UTC (`Mon Jan _2 15:04:05 2006`), as notation prints times. */
function ansic(t: Date): string {
  const hms = t.toISOString().slice(11, 19);
  const day = String(t.getUTCDate()).padStart(2, " ");
  return `${DAYS[t.getUTCDay()]} ${MONTHS[t.getUTCMonth()]} ${day} ${hms} ${t.getUTCFullYear()}`;
}

function iso(t: Date): string {
  return t.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function certificateNodes(certs: CertificateSummary[]): TreeNode[] {
  return certs.map((c) => ({
    label: `SHA256 fingerprint: ${c.sha256Fingerprint}`,
    children: [
      { label: `issued to: ${c.issuedTo}` },
      { label: `issued by: ${c.issuedBy}` },
      { label: `expiry: ${ansic(c.notAfter)}` },
    ],
  }));
}

function certificatesJson(certs: CertificateSummary[]): Record<string, string>[] {
  return certs.map((c) => ({
    SHA256Fingerprint: c.sha256Fingerprint,
    issuedTo: c.issuedTo,
    issuedBy: c.issuedBy,
    expiry: iso(c.notAfter),
  }));
}

function tree(name: string, s: SignatureInspection, contentType: string): TreeNode {
  const signed: TreeNode[] = [
    { label: `content type: ${contentType}` },
    { label: `signing scheme: ${s.signingScheme}` },
    { label: `signing time: ${ansic(s.signingTime)}` },
  ];
  if (s.expiry) signed.push({ label: `expiry: ${ansic(s.expiry)}` });
  const unsigned: TreeNode[] = [];
  if (s.signingAgent !== undefined) unsigned.push({ label: `signing agent: ${s.signingAgent}` });
  const t = s.timestamp;
  if (t !== undefined) {
    unsigned.push({
      label: "timestamp signature",
      children: "error" in t ? [{ label: `error: ${t.error.message}` }] : [
        { label: `timestamp: [${ansic(t.earliest)}, ${ansic(t.latest)}]` },
        { label: "certificates", children: certificateNodes(t.certificates) },
      ],
    });
  }
  const user = Object.entries(s.userMetadata ?? {});
  const empty = [{ label: "(empty)" }];
  return {
    label: name,
    children: [
      { label: `signature algorithm: ${s.signatureAlgorithm}` },
      { label: `signature envelope type: ${s.mediaType}` },
      { label: "signed attributes", children: signed },
      {
        label: "user defined attributes",
        children: user.length ? user.map(([k, v]) => ({ label: `${k}: ${v}` })) : empty,
      },
      { label: "unsigned attributes", children: unsigned.length ? unsigned : empty },
      { label: "certificates", children: certificateNodes(s.certificates) },
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

function json(s: SignatureInspection, contentType: string): Record<string, unknown> {
  const t = s.timestamp;
  return {
    signatureAlgorithm: s.signatureAlgorithm,
    signatureEnvelopeType: s.mediaType,
    signedAttributes: {
      contentType,
      ...(s.expiry ? { expiry: iso(s.expiry) } : {}),
      signingScheme: s.signingScheme,
      signingTime: iso(s.signingTime),
    },
    userDefinedAttributes: s.userMetadata ?? null,
    unsignedAttributes: {
      ...(s.signingAgent !== undefined ? { signingAgent: s.signingAgent } : {}),
      ...(t === undefined ? {} : {
        timestampSignature: "error" in t ? { error: t.error.message } : {
          timestamp: `[${iso(t.earliest)}, ${iso(t.latest)}]`,
          certificates: certificatesJson(t.certificates),
        },
      }),
    },
    certificates: certificatesJson(s.certificates),
    signedArtifact: s.signedArtifact,
  };
}

/**
 * Builds `blob inspect`.
 *
 * @example
 * ```ts ignore
 * import { blobInspectCommand } from "./inspect.ts";
 * const cmd = blobInspectCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function blobInspectCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "inspect",
      description: "Show what a detached signature claims (unverified)",
      examples: [
        "ocisign blob inspect ./app.tar.gz.jws.sig",
        "ocisign blob inspect -o json ./app.tar.gz.cose.sig",
      ],
    },
    args,
    async run({ args }): Promise<void> {
      const format = signatureFormatOfFile(args.signature);
      const mediaType = format === "jws" ? MEDIA_TYPE_JWS : MEDIA_TYPE_COSE;
      const bytes = await io.fs.readFile(absolutePath(io.cwd, args.signature), {
        maxBytes: MAX_ENVELOPE_BYTES,
      });
      const info = await inspectEnvelope(bytes, mediaType, await digestBytes(bytes));
      const contentType = parseEnvelope(bytes, mediaType).unverifiedContent().payload.contentType;
      if (args.output === "json") writeJson(io, json(info, contentType));
      else io.stdout(renderTree(tree(args.signature, info, contentType)));
    },
  });
}
