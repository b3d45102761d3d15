/**
 * `ocisign sign`: signs an artifact in a layout or a registry, optionally countersigned by an
 * RFC 3161 TSA (`--timestamp-url` with `--timestamp-root-cert`, as notation does; the TSA
 * chain's revocation status is checked with OCSP and CRLs, and a revoked or unknown status fails
 * the signing).
 *
 * @module
 */
import { defineCommand } from "../command.ts";
import type { ArgsDef, CommandDef } from "../command.ts";
import { isDigest } from "../../digest/digest.ts";
import { signArtifact } from "../../sign/sign_artifact.ts";
import type { SignArtifactOptions } from "../../sign/sign_artifact.ts";
import { signRecursive } from "../../sign/sign_recursive.ts";
import { parseLayoutReference } from "../../layout/layout_reference.ts";
import type { TimestampingOptions } from "../../signature/request_timestamp.ts";
import { HttpTimestamper } from "../../signature/timestamper.ts";
import { InvalidInputError, OcisignError } from "../../errors.ts";
import { parseCertificates } from "../../x509/certificate.ts";
import type { Certificate } from "../../x509/certificate.ts";
import { artifactArgs, outputArgs, parseKeyValues, registryArgs, UsageError } from "../_args.ts";
import { absolutePath } from "../config/config_dir.ts";
import { parseDurationSeconds } from "../_duration.ts";
import { cliRevocationClient } from "../_revocation_client.ts";
import { loadSigner, signerFlags } from "../_signer.ts";
import { closeTarget, openTarget } from "../_target.ts";
import type { CliIo } from "../io.ts";
import { VERSION } from "../version.ts";
import { reportResolved, writeJson } from "../output.ts";

const args = {
  ...artifactArgs,
  key: { type: "string", alias: "k", description: "Signing key name (default: the default key)" },
  pkcs11: {
    type: "string",
    description: "Sign with this PKCS#11 key (RFC 7512 URI: pkcs11:token=T;object=O)",
  },
  "pkcs11-module": {
    type: "string",
    description: "PKCS#11 module path for --pkcs11 (default: OCISIGN_PKCS11_MODULE)",
  },
  cert: {
    type: "string",
    description: "PEM certificate chain of the --pkcs11 key (default: from the token)",
  },
  plugin: { type: "string", description: "Sign through this notation plugin (with --id)" },
  id: { type: "string", description: "The key id of the --plugin key" },
  "plugin-config": {
    type: "string",
    description: "k=v configuration for the plugin (repeatable)",
  },
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
  recursive: {
    type: "boolean",
    alias: "r",
    description:
      "For an image index: also sign every platform manifest it lists, all or nothing (children first, the index last)",
  },
  "force-referrers-tag": {
    type: "boolean",
    description:
      "Index the signature with the referrers tag schema even if the registry has the referrers API",
  },
  ...registryArgs,
  ...outputArgs,
} as const satisfies ArgsDef;

/** The flags of `sign`; `blob sign` takes its signing flags from here. */
export const signArgs: typeof args = args;

/** notation's `timestampingTimeout`. */
const TIMESTAMP_TIMEOUT_MS = 15_000;

/** Largest `--timestamp-root-cert` file read. */
const MAX_ROOT_CERT_BYTES = 1 << 20;

/**
 * Both timestamp flags or neither, non-empty (notation's checks and messages).
 * @throws {UsageError} ERR_USAGE when only one is given or one is empty.
 */
export function timestampFlags(
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
 * @throws {InvalidInputError} ERR_INVALID_INPUT when the root certificate file is not one root.
 */
export async function loadTimestamping(
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
      examples: [
        "# Sign an image in a registry with the default key",
        "ocisign sign localhost:5000/hello-world@sha256:...",
        "# Sign in a layout with a named key, as COSE, with user metadata",
        "ocisign sign --oci-layout ./hello-world:v1 -k wabbit-networks.io --signature-format cose -m buildId=123",
      ],
    },
    args,
    async run({ args, rawArgs }) {
      const metadata = parseKeyValues(rawArgs, ["user-metadata", "m"]);
      const expirySeconds = args.expiry === undefined
        ? undefined
        : parseDurationSeconds(args.expiry, "expiry");
      const tsa = timestampFlags(args["timestamp-url"], args["timestamp-root-cert"]);
      if (args["oci-layout"] && parseLayoutReference(args.reference).path === "-") {
        throw new UsageError(
          "sign cannot write into a layout tar on stdin: save it to a file and sign that",
        );
      }
      const signer = await loadSigner(io, args.key, signerFlags(args, rawArgs));
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
        const signOptions: SignArtifactOptions = {
          signer,
          format: args["signature-format"] as "jws" | "cose",
          signingTime: io.now(),
          userMetadata: metadata,
          signingAgent: `ocisign/${VERSION}`,
          manifestShape: args["artifact-type-manifest"] ? "v2" : "v1",
          signal: io.signal,
          ...(expirySeconds !== undefined ? { expirySeconds } : {}),
          ...(timestamping ? { timestamp: timestamping } : {}),
        };
        const signed = args.recursive
          ? await signRecursive(opened.target, opened.reference, signOptions)
          : {
            root: await signArtifact(opened.target, opened.reference, signOptions),
            children: [],
          };
        // One commit for everything: a layout gets all the signatures or none.
        await closeTarget(opened, true);
        committed = true;
        const result = signed.root;
        const subjectRef = `${opened.name}@${result.subject.digest}`;
        reportResolved(io, opened.name, opened.reference, result.subject.digest);
        if (args.output === "json") {
          writeJson(io, {
            reference: subjectRef,
            subject: result.subject,
            signature: result.signature,
            envelope: result.envelope,
            ...(args.recursive
              ? {
                manifests: signed.children.map((c) => ({
                  platform: c.platform,
                  subject: c.subject,
                  signature: c.signature,
                  envelope: c.envelope,
                })),
              }
              : {}),
          });
        } else {
          for (const c of signed.children) {
            const platform = c.platform ? ` (${c.platform})` : "";
            io.stdout(`Successfully signed ${opened.name}@${c.subject.digest}${platform}\n`);
            io.stdout(`Pushed the signature to ${opened.name}@${c.signature.digest}\n`);
          }
          io.stdout(`Successfully signed ${subjectRef}\n`);
          io.stdout(`Pushed the signature to ${opened.name}@${result.signature.digest}\n`);
        }
      } finally {
        if (!committed) await closeTarget(opened, false);
      }
    },
  });
}
