/**
 * `ocisign serve` in a child process under Deno (`deno run`) or Bun (`bun run`, the runtime of the
 * compiled binary), optionally with a lower open-file limit, for the tests of what clients and a
 * second process can do to it.
 *
 * @module
 */
import { BUN_PRELOAD } from "../_helpers/bun.ts";

const CLI = new URL("../../cli.ts", import.meta.url).pathname;

/** A running `ocisign serve`. */
export interface ServeProcess {
  /** `127.0.0.1:<port>` it printed. */
  host: string;
  /** Whether the process has exited. */
  exited(): boolean;
  /** Its stderr so far. */
  stderr(): string;
  /** Stops it (SIGTERM, or the `signal` given) and waits for the exit. */
  stop(signal?: Deno.Signal): Promise<void>;
}

/**
 * How to start the CLI under a runtime, or (`argv`) any command line that runs it, such as
 * `deno run <url>/cli.ts`, with its own environment and working directory.
 */
export type Runtime =
  | { name: "deno"; exec: string }
  | { name: "bun"; exec: string }
  | { name: "argv"; argv: string[]; env: Record<string, string>; cwd: string };

/** The argv prefix that runs cli.ts under `runtime`. */
export function cliArgv(runtime: Runtime): string[] {
  return runtime.name === "argv"
    ? runtime.argv
    : runtime.name === "deno"
    ? [runtime.exec, "run", "-A", CLI]
    : [runtime.exec, "run", ...BUN_PRELOAD, CLI];
}

/**
 * Starts `ocisign serve args...` and waits until it prints where it listens.
 * @param runtime Deno or Bun.
 * @param args Arguments after `serve`.
 * @param openFiles A lower `ulimit -n` for the child.
 */
export async function startServeProcess(
  runtime: Runtime,
  args: string[],
  openFiles?: number,
): Promise<ServeProcess> {
  const argv = [...cliArgv(runtime), "serve", ...args];
  const own = runtime.name === "argv" ? { env: runtime.env, cwd: runtime.cwd, clearEnv: true } : {};
  const command = openFiles === undefined
    ? new Deno.Command(argv[0]!, {
      args: argv.slice(1),
      stdout: "piped",
      stderr: "piped",
      ...own,
    })
    : new Deno.Command("sh", {
      args: ["-c", `ulimit -n ${openFiles} && exec "$@"`, "sh", ...argv],
      stdout: "piped",
      stderr: "piped",
      ...own,
    });
  const child = command.spawn();
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  let err = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (t) => void (err += t) }),
  );
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  const stop = async (signal: Deno.Signal = "SIGTERM"): Promise<void> => {
    try {
      child.kill(signal);
    } catch {
      // already exited
    }
    await status;
    await lines.cancel().catch(() => {});
    await stderrDone.catch(() => {});
  };
  for (;;) {
    const { value, done } = await lines.read();
    if (done) {
      await stop();
      throw new Error(`ocisign serve exited during start-up: ${err}`);
    }
    out += value;
    const m = /at https?:\/\/(127\.0\.0\.1:\d+)/.exec(out);
    if (m !== null) {
      return { host: m[1]!, exited: () => exited, stderr: () => err, stop };
    }
  }
}

/** Runs `ocisign serve args...` to its end (for start-up failures). */
export async function runServe(
  runtime: Runtime,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const argv = [...cliArgv(runtime), "serve", ...args];
  const out = await new Deno.Command(argv[0]!, {
    args: argv.slice(1),
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(30_000),
  }).output();
  return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
}
