/**
 * `ocisign sign`: signs an artifact in a layout or a registry, optionally countersigned by an
 * RFC 3161 TSA (`--timestamp-url` with `--timestamp-root-cert`, as notation does; the TSA
 * chain's revocation status is checked with OCSP and CRLs, and a revoked or unknown status fails
 * the signing).
 *
 * @module
 */
import { defineCommand } from "npm:citty@0.2.2";
import type { ArgsDef, CommandDef } from "npm:citty@0.2.2";
import { isDigest } from "../../digest/digest.ts";
import { signArtifact } from "../../sign/sign_artifact.ts";
import type { TimestampingOptions } from "../../signature/request_timestamp.ts";
import { HttpTimestamper } from "../../signature/timestamper.ts";
import { InvalidInputError, OcisignError } from "../../errors.ts";
import { parseCertificates } from "../../x509/certificate.ts";
import type { Certificate } from "../../x509/certificate.ts";
import { artifactArgs, outputArgs, parseKeyValues, registryArgs, UsageError } from "../_args.ts";
import { absolutePath } from "../config/config_dir.ts";
import { parseDurationSeconds } from "../_duration.ts";
import { cliRevocationClient } from "../_revocation_client.ts";
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
  "timestamp-url": {
    type: "string",
    description: "RFC 3161 Timestamping Authority (TSA) server URL",
  },
  "timestamp-root-cert": {
    type: "string",
    description: "Timestamp authority root certificate file (PEM or DER)",
  },
  "force-referrers-tag": {
    type: "boolean",
    description:
      "Index the signature with the referrers tag schema even if the registry has the referrers API",
  },
  ...registryArgs,
  ...outputArgs,
} as const satisfies ArgsDef;

/** notation's `timestampingTimeout`. */
const TIMESTAMP_TIMEOUT_MS = 15_000;

/** Largest `--timestamp-root-cert` file read. */
const MAX_ROOT_CERT_BYTES = 1 << 20;

/** Both timestamp flags or neither, non-empty (notation's checks and messages). */
function timestampFlags(
  url: string | undefined,
  rootCertPath: string | undefined,
): { url: string; rootCertPath: string } | undefined {
  if (url === undefined && rootCertPath === undefined) return undefined;
  if (url === undefined || rootCertPath === undefined) {
    throw new UsageError(
      `if any flags in the group [timestamp-url timestamp-root-cert] are set they must all be set; missing [${
        url === undefined ? "timestamp-url" : "timestamp-root-cert"
      }]`,
    );
  }
  if (url === "") throw new UsageError("timestamping: tsa url cannot be empty");
  if (rootCertPath === "") {
    throw new UsageError("timestamping: tsa root certificate path cannot be empty");
  }
  return { url, rootCertPath };
}

/**
 * The TSA client (real `fetch`, notation's 15 s timeout), the single root certificate and the
 * revocation client for the TSA chain.
 */
async function loadTimestamping(
  io: CliIo,
  url: string,
  rootCertPath: string,
): Promise<TimestampingOptions> {
  const timestamper = new HttpTimestamper(url, {
    fetch: io.fetch,
    timeoutMs: TIMESTAMP_TIMEOUT_MS,
  });
  const bytes = await io.fs.readFile(absolutePath(io.cwd, rootCertPath), {
    maxBytes: MAX_ROOT_CERT_BYTES,
  });
  const expecting = "Expecting single x509 root certificate in PEM or DER format from the file";
  let certs: Certificate[];
  try {
    certs = parseCertificates(bytes);
  } catch (err) {
    if (!(err instanceof OcisignError)) throw err;
    throw new InvalidInputError(
      `cannot find any certificate from ${JSON.stringify(rootCertPath)}. ${expecting}`,
      { cause: err },
    );
  }
  if (certs.length > 1) {
    throw new InvalidInputError(
      `found more than one certificates from ${JSON.stringify(rootCertPath)}. ${expecting}`,
    );
  }
  const root = certs[0]!;
  const problem = await root.checkSignatureFrom(root);
  if (problem !== undefined) {
    throw new InvalidInputError(`failed to check root certificate with error: ${problem}`);
  }
  if (!root.isSelfIssued) {
    throw new InvalidInputError(
      `certificate from ${JSON.stringify(rootCertPath)} is not a root certificate. ${expecting}`,
    );
  }
  return { timestamper, rootCertificate: root, revocationClient: cliRevocationClient(io) };
}

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
      const tsa = timestampFlags(args["timestamp-url"], args["timestamp-root-cert"]);
      const signer = await loadSigner(io, args.key);
      const timestamping = tsa ? await loadTimestamping(io, tsa.url, tsa.rootCertPath) : undefined;
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
          ...(timestamping ? { timestamp: timestamping } : {}),
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
