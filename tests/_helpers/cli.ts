/**
 * An in-process CLI runner for tests: builds a {@linkcode CliIo} over a temp directory (its own
 * config dir, home and working directory, and an environment that does not leak the test
 * process's), captures stdout and stderr, and calls `main(argv, io)`.
 *
 * @example
 * ```ts ignore
 * import { cliSandbox } from "../_helpers/cli.ts";
 * const sb = await cliSandbox();
 * try {
 *   const { code, stdout } = await sb.run("cert", "generate-test", "wabbit-networks.io");
 *   assertEquals(code, 0);
 * } finally {
 *   await sb.close();
 * }
 * ```
 *
 * @module
 */
import { main } from "../../lib/cli/main.ts";
import type { CliIo } from "../../lib/cli/io.ts";
import type { CredentialHelperRunner } from "../../lib/registry/credentials.ts";
import type { RetryOptions } from "../../lib/registry/http_client.ts";
// The file system `deno run cli.ts` uses (see lib/runtime/runtime_fs.ts).
import { denoFs, nodeHasherFactory } from "../../lib/runtime/mod.ts";

/** What a CLI run produced. */
export interface CliResult {
  /** The exit code `main` returned. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
  /** Bytes written through `stdoutStream()` (a layout tar for `--to-oci-layout -`). */
  stdoutBytes?: Uint8Array;
}

/** Options of {@linkcode runCli} and {@linkcode testIo}. */
export interface CliRunOptions {
  /** The environment the command sees (nothing else of the test process leaks in). */
  env?: Record<string, string>;
  /** Working directory (default: the process's). */
  cwd?: string;
  /** Home directory (default: `cwd`). */
  home?: string;
  /** Standard input for `readStdin()` (default: empty). */
  stdin?: string;
  /** Standard input as bytes for `stdinStream()` (a layout tar for `--oci-layout -`). */
  stdinBytes?: Uint8Array;
  /** Whether stderr pretends to be a terminal (default: false). */
  isTty?: boolean;
  /** The clock (default: the real one). */
  now?: () => Date;
  /** Registry retries (default: the binary's count, with waits of at most 10 ms). */
  registryRetry?: RetryOptions;
  /** HTTP client (default: the global `fetch`). */
  fetch?: typeof fetch;
  /** Cancellation (default: never cancelled). */
  signal?: AbortSignal;
  /** Runs `docker-credential-*` helpers (default: none is installed; every call fails). */
  credentialHelper?: CredentialHelperRunner;
}

/** A credential helper runner for hermetic tests: every helper is missing. */
const NO_CREDENTIAL_HELPERS: CredentialHelperRunner = {
  run: (program) => Promise.reject(new Error(`${program} is not available in tests`)),
};

/**
 * Builds a test {@linkcode CliIo} whose output is captured.
 *
 * @param options Environment, directories and stdin.
 * @returns The I/O and a function returning what was written so far.
 */
export function testIo(options: CliRunOptions = {}): {
  io: CliIo;
  output: () => { stdout: string; stderr: string; stdoutBytes?: Uint8Array };
} {
  let stdout = "";
  let stderr = "";
  const chunks: Uint8Array[] = [];
  const env = options.env ?? {};
  const cwd = options.cwd ?? Deno.cwd();
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env: (name) => env[name],
    cwd,
    home: options.home ?? cwd,
    fs: denoFs,
    hasher: nodeHasherFactory,
    isTty: options.isTty ?? false,
    readStdin: () => Promise.resolve(options.stdin ?? ""),
    stdinStream: () => new Blob([(options.stdinBytes ?? new Uint8Array()) as BlobPart]).stream(),
    stdoutStream: () => new WritableStream({ write: (c) => void chunks.push(c.slice()) }),
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    tlsFetch: ({ caCerts }) => {
      const client = Deno.createHttpClient(caCerts ? { caCerts } : {});
      return ((input, init) => fetch(input, { ...init, client })) as typeof fetch;
    },
    now: options.now ?? (() => new Date()),
    // As many retries as the binary makes, without its waits (about 7 s for a registry that
    // cannot be reached).
    registryRetry: options.registryRetry ?? { baseDelayMs: 1, maxDelayMs: 10 },
    credentialHelper: options.credentialHelper ?? NO_CREDENTIAL_HELPERS,
    hostPlatform: "linux/amd64",
    signal: options.signal ?? new AbortController().signal,
  };
  const bytes = (): Uint8Array | undefined => {
    if (chunks.length === 0) return undefined;
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) out.set(c, (at += c.length) - c.length);
    return out;
  };
  return {
    io,
    output: () => {
      const stdoutBytes = bytes();
      return { stdout, stderr, ...(stdoutBytes ? { stdoutBytes } : {}) };
    },
  };
}

/**
 * Runs the CLI in-process.
 *
 * @param argv Arguments after the program name.
 * @param options Environment, directories and stdin.
 * @returns Exit code and captured output.
 */
export async function runCli(argv: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const { io, output } = testIo(options);
  const code = await main(argv, io);
  return { code, ...output() };
}

/** A temp directory with a config dir, a home and a working directory for CLI runs. */
export interface CliSandbox {
  /** The temp directory (removed by `close`). */
  readonly dir: string;
  /** `OCISIGN_CONFIG_DIR` of every run: `<dir>/config`. */
  readonly configDir: string;
  /** Working directory of every run: `<dir>/work` (created). */
  readonly cwd: string;
  /** Home directory of every run: `<dir>/home` (created). */
  readonly home: string;
  /** Runs the CLI with the sandbox's environment (plus `options.env`). */
  run(...argv: string[]): Promise<CliResult>;
  /** Runs the CLI with extra options. */
  runWith(options: CliRunOptions, ...argv: string[]): Promise<CliResult>;
  /** Removes the temp directory. */
  close(): Promise<void>;
}

/**
 * Creates a sandbox: a fresh temp directory whose `config/` is the configuration directory.
 * Call `close()` in a `finally`.
 *
 * @param options `configDir: false` leaves `OCISIGN_CONFIG_DIR` unset (to test the fallbacks).
 * @returns The sandbox.
 */
export async function cliSandbox(options: { configDir?: boolean } = {}): Promise<CliSandbox> {
  const dir = await Deno.makeTempDir({ prefix: "ocisign-cli-" });
  const configDir = `${dir}/config`;
  const cwd = `${dir}/work`;
  const home = `${dir}/home`;
  await Deno.mkdir(cwd);
  await Deno.mkdir(home);
  const baseEnv: Record<string, string> = options.configDir === false
    ? {}
    : { OCISIGN_CONFIG_DIR: configDir };
  const runWith = (opts: CliRunOptions, ...argv: string[]): Promise<CliResult> =>
    runCli(argv, { cwd, home, ...opts, env: { ...baseEnv, ...opts.env } });
  return {
    dir,
    configDir,
    cwd,
    home,
    run: (...argv) => runWith({}, ...argv),
    runWith,
    close: () => Deno.remove(dir, { recursive: true }),
  };
}
