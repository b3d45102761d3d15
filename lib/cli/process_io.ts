/**
 * The real {@linkcode CliIo} of a process: its own arguments, environment and standard streams;
 * files, child processes and TLS through `lib/runtime/`. Under Deno what every command uses
 * (environment, terminal, files, hashing) goes through `Deno`: Deno sets Node compatibility up on
 * the first `node:` module (about 15 ms of every start). What only some commands use (streams,
 * prompts, child processes) loads `node:process` when first used.
 *
 * @module
 */
import { nodeHasherFactory } from "../runtime/node_hasher.ts";
import { loadRuntimeFs } from "../runtime/runtime_fs.ts";
import { canSkipTlsVerification, tlsFetch } from "../runtime/tls_fetch.ts";
import type { CredentialHelperRunner } from "../registry/credentials.ts";
import type { CliIo } from "./io.ts";
import { UsageError } from "./_args.ts";
import { isTerminal, standardWriter } from "../runtime/standard_streams.ts";

type NodeProcess = typeof import("node:process");

const deno = (globalThis as { Deno?: typeof Deno }).Deno;

/** `process`, looked up when used: under Deno its first use sets Node compatibility up. */
function nodeProcess(): NodeProcess {
  return (globalThis as unknown as { process: NodeProcess }).process;
}

/**
 * Builds the I/O of this process; SIGINT aborts `signal`.
 * @returns The environment for {@linkcode main}.
 */
export async function processIo(): Promise<CliIo> {
  const controller = new AbortController();
  let stdin: Promise<string> | undefined;
  const env = deno !== undefined
    ? (name: string) => deno.env.get(name)
    : (name: string) => nodeProcess().env[name];
  if (deno === undefined) nodeProcess().once("SIGINT", () => controller.abort());
  else {
    // Once, as Node's `once`: a second Ctrl-C ends the process.
    const onInterrupt = (): void => {
      deno.removeSignalListener("SIGINT", onInterrupt);
      controller.abort();
    };
    deno.addSignalListener("SIGINT", onInterrupt);
  }
  return {
    stdout: standardWriter("stdout"),
    stderr: standardWriter("stderr"),
    env,
    cwd: deno?.cwd() ?? nodeProcess().cwd(),
    // HOME first: os.homedir() needs --allow-sys under Deno, which nothing else here needs.
    home: env("HOME") ?? env("USERPROFILE") ?? nodeProcess().getBuiltinModule("node:os").homedir(),
    fs: await loadRuntimeFs(),
    hasher: nodeHasherFactory,
    isTty: isTerminal("stderr"),
    columns: () => terminalColumns(),
    stdoutTty: isTerminal("stdout"),
    readStdin: () => (stdin ??= readAllStdin()),
    stdinStream: () =>
      lazyReadable(async () => (await import("node:stream")).Readable.toWeb(nodeProcess().stdin)),
    stdoutStream: () =>
      lazyWritable(async () => (await import("node:stream")).Writable.toWeb(nodeProcess().stdout)),
    prompt: async (question, secret) =>
      stdinIsTerminal() && isTerminal("stderr")
        ? (await import("./_tty_prompt.ts" + "") as typeof import("./_tty_prompt.ts"))
          .readTtyLine(question, secret)
        : undefined,
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

/** Width of the terminal on standard error, when it is one. */
function terminalColumns(): number | undefined {
  if (deno === undefined) return nodeProcess().stderr.columns;
  try {
    return deno.stderr.isTerminal() ? deno.consoleSize().columns : undefined;
  } catch {
    return undefined;
  }
}

function stdinIsTerminal(): boolean {
  return deno?.stdin.isTerminal() ?? Boolean(nodeProcess().stdin.isTTY);
}

const OCI_ARCH: Record<string, string> = {
  x64: "amd64",
  ia32: "386",
  ppc64: "ppc64le",
  x86_64: "amd64",
  aarch64: "arm64",
};
const OCI_OS: Record<string, string> = { win32: "windows" };

function hostPlatform(): string {
  const os = deno?.build.os ?? nodeProcess().platform;
  const arch = deno?.build.arch ?? nodeProcess().arch;
  return `${OCI_OS[os] ?? os}/${OCI_ARCH[arch] ?? arch}`;
}

async function readAllStdin(): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of nodeProcess().stdin) text += decoder.decode(chunk, { stream: true });
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
