/**
 * The real {@linkcode CliIo} of a process, over `lib/runtime/` and `node:process`.
 *
 * @module
 */
import process from "node:process";
import os from "node:os";
import { Buffer } from "node:buffer";
import { spawn } from "node:child_process";
import { Readable, Writable } from "node:stream";
import { nodeFs, nodeHasherFactory } from "../runtime/mod.ts";
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
    tlsFetch,
    now: () => new Date(),
    credentialHelper: { run: runHelper },
    hostPlatform: hostPlatform(),
    signal: controller.signal,
  };
}

function runHelper(
  program: string,
  args: string[],
  stdin: string,
): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ["pipe", "pipe", "ignore"] });
    const out: Uint8Array[] = [];
    child.stdout.on("data", (chunk: Uint8Array) => out.push(chunk));
    child.on("error", reject);
    child.on(
      "close",
      (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString("utf8") }),
    );
    child.stdin.end(stdin);
  });
}

const OCI_ARCH: Record<string, string> = { x64: "amd64", ia32: "386", ppc64: "ppc64le" };
const OCI_OS: Record<string, string> = { win32: "windows" };

function hostPlatform(): string {
  return `${OCI_OS[process.platform] ?? process.platform}/${
    OCI_ARCH[process.arch] ?? process.arch
  }`;
}

/**
 * Deno's and Bun's ways of giving `fetch` custom TLS trust. Deno cannot skip certificate
 * verification per client, so `insecure` works only in the compiled (Bun) binary.
 */
function tlsFetch(options: { caCerts?: string[]; insecure?: boolean }): typeof fetch {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (deno !== undefined) {
    if (options.insecure) {
      throw new UsageError(
        "--insecure is not available under Deno (use the ocisign binary, or pass the registry's CA with --ca-file)",
      );
    }
    const client = deno.createHttpClient(options.caCerts ? { caCerts: options.caCerts } : {});
    return ((input, init) => fetch(input, { ...init, client })) as typeof fetch;
  }
  const tls = {
    ...(options.caCerts ? { ca: options.caCerts } : {}),
    ...(options.insecure ? { rejectUnauthorized: false } : {}),
  };
  return ((input, init) =>
    fetch(input, { ...init, tls } as unknown as RequestInit)) as typeof fetch;
}

async function readAllStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
  return new TextDecoder().decode(Buffer.concat(chunks));
}
