/**
 * The real {@linkcode CliIo} of a process: its own arguments, environment and standard streams
 * over `node:process`; files, child processes and TLS through `lib/runtime/`.
 *
 * @module
 */
import process from "node:process";
import os from "node:os";
import { Buffer } from "node:buffer";
import { Readable, Writable } from "node:stream";
import { nodeFs, nodeHasherFactory } from "../runtime/mod.ts";
import { processCredentialHelper } from "../runtime/credential_helper_process.ts";
import { canSkipTlsVerification, tlsFetch } from "../runtime/tls_fetch.ts";
import type { CliIo } from "./io.ts";
import { UsageError } from "./_args.ts";
import { readTtyLine } from "./_tty_prompt.ts";

/**
 * Builds the I/O of this process; SIGINT aborts `signal`.
 * @returns The environment for {@linkcode main}.
 */
export function processIo(): CliIo {
  const controller = new AbortController();
  let stdin: Promise<string> | undefined;
  process.once("SIGINT", () => controller.abort());
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: (name) => process.env[name],
    cwd: process.cwd(),
    // HOME first: os.homedir() needs --allow-sys under Deno, which nothing else here needs.
    home: process.env.HOME ?? process.env.USERPROFILE ?? os.homedir(),
    fs: nodeFs,
    hasher: nodeHasherFactory,
    isTty: Boolean(process.stderr.isTTY),
    columns: () => process.stderr.columns,
    stdoutTty: Boolean(process.stdout.isTTY),
    readStdin: () => (stdin ??= readAllStdin()),
    stdinStream: () => Readable.toWeb(process.stdin) as ReadableStream<Uint8Array>,
    stdoutStream: () => Writable.toWeb(process.stdout) as WritableStream<Uint8Array>,
    prompt: (question, secret) =>
      process.stdin.isTTY && process.stderr.isTTY
        ? readTtyLine(question, secret)
        : Promise.resolve(undefined),
    fetch: globalThis.fetch.bind(globalThis),
    tlsFetch: (options) => {
      if (options.insecure && !canSkipTlsVerification()) {
        throw new UsageError(
          "--insecure is not available under Deno (use the ocisign binary, or pass the registry's CA with --ca-file)",
        );
      }
      return tlsFetch(options);
    },
    now: () => new Date(),
    credentialHelper: processCredentialHelper,
    hostPlatform: hostPlatform(),
    signal: controller.signal,
  };
}

const OCI_ARCH: Record<string, string> = { x64: "amd64", ia32: "386", ppc64: "ppc64le" };
const OCI_OS: Record<string, string> = { win32: "windows" };

function hostPlatform(): string {
  return `${OCI_OS[process.platform] ?? process.platform}/${
    OCI_ARCH[process.arch] ?? process.arch
  }`;
}

async function readAllStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return new TextDecoder().decode(Buffer.concat(chunks));
}
