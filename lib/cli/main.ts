/**
 * The ocisign command line: resolves the command, checks its arguments strictly (before it runs),
 * runs it, maps errors to exit codes (see {@linkcode EXIT_CODE_HELP}).
 *
 * @module
 */
import { OcisignError } from "../errors.ts";
import { colourEnabled } from "./_colour.ts";
import { argsOf, resolveCommand } from "./_command_tree.ts";
import type { AnyCommand } from "./_command_tree.ts";
import { defineCommand, runCommand } from "./command.ts";
import type { CommandMeta } from "./command.ts";
import { checkArgs, wantsJson } from "./_strict_args.ts";
import { debugFetch } from "./_debug_fetch.ts";
import { withConnectionHint } from "./_connection_hint.ts";
import { globalArgsFor } from "./_global_args.ts";
import { COMMANDS } from "./commands/registry.ts";
import { completionScript, SHELLS } from "./completion.ts";
import { EXIT, EXIT_CODE_HELP, exitCodeFor } from "./exit_codes.ts";
import { renderHelp } from "./help.ts";
import type { CliIo } from "./io.ts";
import { jsonLines, renderError } from "./output.ts";
import { VERSION, versionLine } from "./version.ts";
import { permissionError } from "./permissions.ts";

export { EXIT_CODE_HELP, VERSION };

/**
 * The root command with every command under it, bound to `io` (for help, completion and tests
 * that walk the command tree).
 *
 * @param io The environment.
 * @returns The root command.
 */
export function commandTree(io: CliIo): AnyCommand {
  const subCommands: Record<string, () => Promise<AnyCommand>> = {};
  for (const [name, load] of Object.entries(COMMANDS)) {
    subCommands[name] = async () => (await load())(io);
  }
  const root: AnyCommand = defineCommand({
    meta: {
      name: "ocisign",
      description:
        "Build, sign, copy and verify OCI images on local disk and in registries (Notary Project signatures)",
    },
    subCommands,
  });
  const helpMeta: CommandMeta = {
    name: "help",
    description: "Help about any command",
    variadic: { name: "command", min: 0, description: "The command, e.g. cert generate-test" },
    examples: ["ocisign help verify", "ocisign help cert generate-test"],
  };
  subCommands.help = () =>
    Promise.resolve(defineCommand({
      meta: helpMeta,
      async run({ args }) {
        const target = await resolveCommand(root, args._);
        io.stdout(
          await renderHelp(target.cmd, target.path, colourEnabled(io, io.stdoutTty ?? false)),
        );
      },
    }));
  const completionMeta: CommandMeta = {
    name: "completion",
    description: "Print a shell completion script (bash, zsh or fish)",
    examples: [
      "source <(ocisign completion bash)",
      'ocisign completion zsh > "${fpath[1]}/_ocisign"',
      "ocisign completion fish | source",
    ],
  };
  subCommands.completion = () =>
    Promise.resolve(defineCommand({
      meta: completionMeta,
      args: {
        shell: { type: "positional", required: true, description: `One of ${SHELLS.join(", ")}` },
      },
      async run({ args }) {
        io.stdout(await completionScript(root, args.shell));
      },
    }));
  return root;
}

/** What `main` learns from the arguments and the commands' output follows. */
interface OutputState {
  json: boolean;
  verbose: boolean;
  debug: boolean;
}

/**
 * The I/O commands get: stderr as JSON lines under `-o json`, `verbose`, and with `--debug` a
 * fetch that logs each request.
 */
function instrumentedIo(io: CliIo, state: OutputState): CliIo {
  const log = (line: string) => commandIo.stderr(line + "\n");
  const logged = (inner: typeof fetch) => state.debug ? debugFetch(inner, log, Date.now) : inner;
  const commandIo: CliIo = {
    ...io,
    stderr: (text) => io.stderr(state.json ? jsonLines(text) : text),
    get verbose() {
      return state.verbose;
    },
    fetch: ((input, init) => logged(io.fetch)(input, init)) as typeof fetch,
    tlsFetch: (options) => logged(io.tlsFetch(options)),
  };
  return commandIo;
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
  if (argv[0] === "--version" || argv[0] === "-V") {
    io.stdout(`${versionLine()}\n`);
    return EXIT.OK;
  }
  const state: OutputState = { json: false, verbose: false, debug: false };
  const commandIo = instrumentedIo(io, state);
  const root = commandTree(commandIo);
  const colour = colourEnabled(io, io.stdoutTty ?? false);
  let path = ["ocisign"];
  let stage: "arguments" | "run" = "arguments";
  try {
    const resolved = await resolveCommand(root, argv);
    path = resolved.path;
    if (resolved.cmd.subCommands) {
      io.stdout(await renderHelp(resolved.cmd, resolved.path, colour));
      return EXIT.OK;
    }
    const own = argsOf(resolved.cmd);
    const globals = globalArgsFor(own);
    const defs = { ...own, ...globals };
    state.json = wantsJson(defs, resolved.rest);
    const checked = checkArgs(defs, resolved.rest, resolved.cmd.meta);
    state.debug = "debug" in globals && checked.args.debug === true;
    state.verbose = state.debug || ("verbose" in globals && checked.args.verbose === true);
    if (checked.help) {
      io.stdout(await renderHelp(resolved.cmd, resolved.path, colour));
      return EXIT.OK;
    }
    stage = "run";
    await runCommand(resolved.cmd, checked);
    // A command that stops cleanly on Ctrl-C (serve) still exits as interrupted.
    return io.signal.aborted ? EXIT.INTERRUPTED : EXIT.OK;
  } catch (caught) {
    const err = permissionError(withConnectionHint(caught));
    const format = state.json ? "json" : "text";
    if (io.signal.aborted) {
      io.stderr(renderError(new OcisignError("ERR_ABORTED", "Interrupted"), format, false));
      return EXIT.INTERRUPTED;
    }
    const verbose = state.verbose || argv.includes("--verbose") || argv.includes("--debug");
    let text = renderError(err, format, verbose);
    if (format === "text" && stage === "arguments") {
      text += `\nRun '${path.join(" ")} --help' for usage.\n`;
    }
    io.stderr(text);
    return err instanceof OcisignError ? exitCodeFor(err.code) : EXIT.INTERNAL;
  }
}
