/**
 * The real {@linkcode CliIo} of a process: its own arguments, environment and standard streams
 * over `node:process`; files, child processes and TLS through `lib/runtime/`. What only some
 * commands use (streams, child processes) loads when first used: under Deno each built-in module
 * costs start-up time, and `verify` needs none of them.
 *
 * @module
 */
import process from "node:process";
import os from "node:os";
import { nodeFs } from "../runtime/node_fs.ts";
import { nodeHasherFactory } from "../runtime/node_hasher.ts";
import { canSkipTlsVerification, tlsFetch } from "../runtime/tls_fetch.ts";
import type { CredentialHelperRunner } from "../registry/credentials.ts";
import type { CliIo } from "./io.ts";
import { UsageError } from "./_args.ts";
import { readTtyLine } from "./_tty_prompt.ts";
import { isTerminal, standardWriter } from "../runtime/standard_streams.ts";

/**
 * Builds the I/O of this process; SIGINT aborts `signal`.
 * @returns The environment for {@linkcode main}.
 */
export function processIo(): CliIo {
  const controller = new AbortController();
  let stdin: Promise<string> | undefined;
  process.once("SIGINT", () => controller.abort());
  return {
    stdout: standardWriter("stdout"),
    stderr: standardWriter("stderr"),
    env: (name) => process.env[name],
    cwd: process.cwd(),
    // HOME first: os.homedir() needs --allow-sys under Deno, which nothing else here needs.
    home: process.env.HOME ?? process.env.USERPROFILE ?? os.homedir(),
    fs: nodeFs,
    hasher: nodeHasherFactory,
    isTty: isTerminal("stderr"),
    columns: () => process.stderr.columns,
    stdoutTty: isTerminal("stdout"),
    readStdin: () => (stdin ??= readAllStdin()),
    stdinStream: () =>
      lazyReadable(async () => (await import("node:stream")).Readable.toWeb(process.stdin)),
    stdoutStream: () =>
      lazyWritable(async () => (await import("node:stream")).Writable.toWeb(process.stdout)),
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
    credentialHelper: lazyCredentialHelper,
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
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of process.stdin) text += decoder.decode(chunk, { stream: true });
  return text + decoder.decode();
}

const lazyCredentialHelper: CredentialHelperRunner = {
  async run(program, args, stdin) {
    const { processCredentialHelper } = await import(
      "../runtime/credential_helper_process.ts" + ""
    ) as typeof import("../runtime/credential_helper_process.ts");
    return await processCredentialHelper.run(program, args, stdin);
  },
};

/** A stream that opens `open()`'s stream on the first read. */
function lazyReadable(open: () => Promise<ReadableStream>): ReadableStream<Uint8Array> {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      reader ??= ((await open()) as ReadableStream<Uint8Array>).getReader();
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** A stream that opens `open()`'s stream on the first write. */
function lazyWritable(open: () => Promise<WritableStream>): WritableStream<Uint8Array> {
  let writer: Promise<WritableStreamDefaultWriter<Uint8Array>> | undefined;
  const opened =
    () => (writer ??= open().then((s) => (s as WritableStream<Uint8Array>).getWriter()));
  return new WritableStream<Uint8Array>({
    async write(chunk) {
      await (await opened()).write(chunk);
    },
    async close() {
      await (await opened()).close();
    },
    async abort(reason) {
      await (await opened()).abort(reason);
    },
  });
}
