/**
 * The ocisign command line: parses arguments with citty, runs one command, maps errors to exit
 * codes (see {@linkcode EXIT_CODE_HELP}).
 *
 * @module
 */
import { defineCommand, renderUsage, runCommand } from "npm:citty@0.2.2";
import type { CommandDef } from "npm:citty@0.2.2";
import { OcisignError } from "../errors.ts";
import { COMMANDS } from "./commands/registry.ts";
import { EXIT, EXIT_CODE_HELP, exitCodeFor } from "./exit_codes.ts";
import type { CliIo } from "./io.ts";
import { renderError } from "./output.ts";
import { VERSION } from "./version.ts";

export { VERSION };

// deno-lint-ignore no-explicit-any
type AnyCommand = CommandDef<any>;

function rootCommand(io: CliIo): AnyCommand {
  const subCommands: Record<string, () => Promise<AnyCommand>> = {};
  for (const [name, load] of Object.entries(COMMANDS)) {
    subCommands[name] = async () => (await load())(io);
  }
  return defineCommand({
    meta: {
      name: "ocisign",
      version: VERSION,
      description:
        "Build, sign, copy and verify OCI images on local disk and in registries (Notary Project signatures)",
    },
    subCommands,
  });
}

async function resolveValue<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

/** The command a help request names, renamed to its full path (`ocisign policy init`). */
async function helpTarget(root: AnyCommand, words: string[]): Promise<AnyCommand> {
  let cmd = root;
  const names = ["ocisign"];
  for (const word of words) {
    const subs = cmd.subCommands ? await resolveValue(cmd.subCommands) : undefined;
    const next = subs?.[word];
    if (next === undefined) break;
    cmd = await resolveValue(next);
    names.push(word);
  }
  const meta = cmd.meta ? await resolveValue(cmd.meta) : {};
  return { ...cmd, meta: { ...meta, name: names.join(" ") } };
}

/**
 * Runs the CLI.
 *
 * @example
 * ```ts ignore
 * import { main } from "./main.ts";
 * const code = await main(["--version"], io);
 * ```
 * @param argv Arguments after the program name.
 * @param io The environment.
 * @returns The exit code.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const root = rootCommand(io);
  const json = argv.includes("--output=json") ||
    argv.some((a, i) => (a === "--output" || a === "-o") && argv[i + 1] === "json");
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  if (argv[0] === "--version" || argv[0] === "-V" || argv[0] === "version") {
    io.stdout(`ocisign ${VERSION}\n`);
    return EXIT.OK;
  }
  const words = argv.filter((a) => !a.startsWith("-"));
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    const cmd = await helpTarget(root, words);
    io.stdout(await renderUsage(cmd) + "\n");
    if (cmd.subCommands === root.subCommands) io.stdout("\n" + EXIT_CODE_HELP + "\n");
    return argv.length === 0 ? EXIT.USAGE : EXIT.OK;
  }
  try {
    await runCommand(root, { rawArgs: argv });
    return EXIT.OK;
  } catch (err) {
    if (err instanceof Error && err.name === "CLIError") {
      io.stderr(
        `Error: ${stripAnsi(err.message)}\nRun "ocisign ${
          words.slice(0, 2).join(" ")
        } --help" for usage.\n`,
      );
      return EXIT.USAGE;
    }
    if (io.signal.aborted) {
      io.stderr(
        renderError(new OcisignError("ERR_ABORTED", "Interrupted"), json ? "json" : "text", false),
      );
      return EXIT.INTERRUPTED;
    }
    io.stderr(renderError(err, json ? "json" : "text", verbose));
    return err instanceof OcisignError ? exitCodeFor(err.code) : EXIT.INTERNAL;
  }
}

function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}
