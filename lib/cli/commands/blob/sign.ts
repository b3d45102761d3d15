/**
 * `ocisign blob sign FILE...`: detached signatures for any file, as `notation blob sign` writes
 * them: `<file name>.<jws|cose>.sig` beside each file (or in `--signature-directory`), written
 * atomically with mode 0644 (a signature is public). An existing signature file is refused
 * without `--force`, and is then left untouched; every target is checked before anything is
 * signed.
 *
 * @module
 */
import { defineCommand } from "../../command.ts";
import type { ArgsDef, CommandDef } from "../../command.ts";
import { signBlob } from "../../../blob/sign_blob.ts";
import { blobSignatureFileName } from "../../../blob/blob_signature_file.ts";
import { checkBlobMediaType } from "../../../blob/blob_media_type.ts";
import { AlreadyExistsError, InvalidInputError, NotFoundError } from "../../../errors.ts";
import type { EnvelopeFormat } from "../../../signature/envelope.ts";
import { outputArgs, parseKeyValues, UsageError } from "../../_args.ts";
import { parseDurationSeconds } from "../../_duration.ts";
import { loadSigner, signerFlags } from "../../_signer.ts";
import { parentDir } from "../../config/_config_file.ts";
import { absolutePath, joinPath } from "../../config/config_dir.ts";
import type { CliIo } from "../../io.ts";
import { writeJson } from "../../output.ts";
import { VERSION } from "../../version.ts";
import { loadTimestamping, signArgs, timestampFlags } from "../sign.ts";
import { checkBlobFile, withBlobStream } from "./_blob_file.ts";
import { progressView } from "../../progress.ts";

const args = {
  key: signArgs.key,
  pkcs11: signArgs.pkcs11,
  "pkcs11-module": signArgs["pkcs11-module"],
  cert: signArgs.cert,
  plugin: signArgs.plugin,
  id: signArgs.id,
  "plugin-config": signArgs["plugin-config"],
  "signature-format": signArgs["signature-format"],
  "media-type": {
    type: "string",
    description: "Media type of the blob (default application/octet-stream)",
  },
  "signature-directory": {
    type: "string",
    description: "Directory the signature files are written to (default: beside each file)",
  },
  expiry: signArgs.expiry,
  "user-metadata": signArgs["user-metadata"],
  "timestamp-url": signArgs["timestamp-url"],
  "timestamp-root-cert": signArgs["timestamp-root-cert"],
  force: { type: "boolean", description: "Overwrite existing signature files" },
  ...outputArgs,
} as const satisfies ArgsDef;

/** Mode of a written signature file: it is public. */
const SIGNATURE_FILE_MODE = 0o644;

interface Job {
  /** The file as given. */
  file: string;
  /** Its absolute path. */
  path: string;
  /** Where its signature goes. */
  signaturePath: string;
}

/** Resolves every file and its signature path, refusing what cannot be done before signing. */
async function plan(
  io: CliIo,
  files: readonly string[],
  format: EnvelopeFormat,
  directory: string | undefined,
  force: boolean,
): Promise<Job[]> {
  if (directory !== undefined) {
    const info = await io.fs.stat(absolutePath(io.cwd, directory));
    if (info === undefined) {
      throw new NotFoundError(`signature directory ${directory} does not exist`);
    }
    if (!info.isDirectory) {
      throw new InvalidInputError(`signature directory ${directory} is not a directory`);
    }
  }
  const jobs: Job[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    const path = await checkBlobFile(io, file);
    const dir = directory === undefined ? parentDir(path) : absolutePath(io.cwd, directory);
    const signaturePath = joinPath(dir, blobSignatureFileName(path, format));
    if (seen.has(signaturePath)) {
      throw new UsageError(`two files would be signed into the same file ${signaturePath}`);
    }
    seen.add(signaturePath);
    if (!force && await io.fs.stat(signaturePath) !== undefined) {
      throw new AlreadyExistsError(
        `The signature file ${signaturePath} already exists; use --force to overwrite it`,
      );
    }
    jobs.push({ file, path, signaturePath });
  }
  return jobs;
}

/**
 * Builds `blob sign`.
 *
 * @example
 * ```ts ignore
 * import { blobSignCommand } from "./sign.ts";
 * const cmd = blobSignCommand(io);
 * ```
 * @param io The environment.
 * @returns The command.
 */
export function blobSignCommand(io: CliIo): CommandDef<typeof args> {
  return defineCommand({
    meta: {
      name: "sign",
      description: "Write a detached signature <file>.<jws|cose>.sig for each file",
      variadic: { name: "FILE", min: 1, description: "Files to sign" },
      examples: [
        "ocisign blob sign ./app.tar.gz",
        "# COSE, with user metadata, into another directory",
        "ocisign blob sign --signature-format cose -m release=1.0 --signature-directory ./sigs ./a ./b",
      ],
    },
    args,
    async run({ args, rawArgs }): Promise<void> {
      const files = args._;
      const format = args["signature-format"] as EnvelopeFormat;
      const metadata = parseKeyValues(rawArgs, ["user-metadata", "m"]);
      const expirySeconds = args.expiry === undefined
        ? undefined
        : parseDurationSeconds(args.expiry, "expiry");
      const tsa = timestampFlags(args["timestamp-url"], args["timestamp-root-cert"]);
      // before any file is read: a bad media type would fail every one of them
      if (args["media-type"] !== undefined) checkBlobMediaType(args["media-type"]);
      const jobs = await plan(
        io,
        files,
        format,
        args["signature-directory"],
        args.force === true,
      );
      if (args.force === true) {
        for (const job of jobs) {
          if (await io.fs.stat(job.signaturePath) !== undefined) {
            io.stderr(
              `Warning: existing signature file ${job.signaturePath} will be overwritten\n`,
            );
          }
        }
      }
      const signer = await loadSigner(io, args.key, signerFlags(args, rawArgs));
      const timestamping = tsa ? await loadTimestamping(io, tsa.url, tsa.rootCertPath) : undefined;
      const results: Record<string, unknown>[] = [];
      // A row per file being hashed, on a terminal ("Successfully signed" is the finished line).
      const view = progressView(io, args.output === "json");
      for (const job of jobs) {
        const total = (await io.fs.stat(job.path))?.size;
        const onProgress = (bytes: number): void =>
          view.bytes(job.path, `Hashing ${job.file}`, bytes, total);
        const result = await withBlobStream(io, job.path, (blob) =>
          signBlob(blob, {
            signer,
            format,
            signingTime: io.now(),
            userMetadata: metadata,
            signingAgent: `ocisign/${VERSION}`,
            hasher: io.hasher,
            signal: io.signal,
            ...(view.live ? { onProgress } : {}),
            ...(args["media-type"] !== undefined ? { mediaType: args["media-type"] } : {}),
            ...(expirySeconds !== undefined ? { expirySeconds } : {}),
            ...(timestamping ? { timestamp: timestamping } : {}),
          })).finally(() => view.finish(job.path));
        await io.fs.writeFileAtomic(job.signaturePath, result.envelope, {
          mode: SIGNATURE_FILE_MODE,
          signal: io.signal,
        });
        if (args.output === "json") {
          results.push({
            file: job.file,
            signature: job.signaturePath,
            envelopeMediaType: result.envelopeMediaType,
            targetArtifact: result.targetArtifact,
          });
        } else {
          io.stdout(`Successfully signed ${job.file}\n`);
          io.stdout(` Signature file written to ${job.signaturePath}\n`);
        }
      }
      if (args.output === "json") writeJson(io, { signed: results });
    },
  });
}
