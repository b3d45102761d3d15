/**
 * Runs the CLI on a pseudo-terminal (`script`), answering prompts as they appear: the way to
 * test what a user at a terminal sees.
 */
import { findPeer } from "./peers.ts";

/** The `script` program, when installed (tests that need it are ignored without it). */
export const script = findPeer("script");

const repo = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

function denoDir(): string {
  return Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
}

/** Options of {@linkcode onTerminal}. */
export interface TerminalOptions {
  /** Prompts and what to type when each appears, in order. */
  answers?: Array<[string, string]>;
  /** The working directory. */
  cwd?: string;
  /** The terminal's width in columns (set with `stty` before the command). */
  columns?: number;
  /** A compiled ocisign binary to run instead of `deno run cli.ts`. */
  binary?: string;
}

/**
 * `deno run cli.ts ARGS` (or the compiled `binary`) on a pseudo-terminal; returns its exit code
 * and everything shown.
 */
export async function onTerminal(
  args: string[],
  env: Record<string, string>,
  options: TerminalOptions = {},
): Promise<{ code: number; output: string }> {
  const answers = options.answers ?? [];
  const deno = [Deno.execPath(), "run", "-A", "--config", `${repo}/deno.json`];
  const program = options.binary === undefined ? [...deno, `${repo}/cli.ts`] : [options.binary];
  let command = [...program, ...args].join(" ");
  if (options.columns !== undefined) command = `stty cols ${options.columns}; ${command}`;
  const child = new Deno.Command(script!, {
    args: ["-qfec", command, "/dev/null"],
    // Only what the test gives: CI runs the suite with NO_COLOR set.
    clearEnv: true,
    // Deno's module cache as the test's own (a sandbox HOME would download everything again).
    env: { DENO_DIR: denoDir(), ...env },
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  let answered = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
    const next = answers[answered];
    if (next && output.endsWith(next[0])) {
      await writer.write(new TextEncoder().encode(next[1]));
      answered++;
    }
  }
  await writer.close().catch(() => {});
  return { code: (await child.status).code, output };
}
