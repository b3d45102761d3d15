/**
 * Help text, in cobra's layout (notation's and oras's): description, usage lines with every
 * positional argument, aliases, examples, subcommands, flags with one style for defaults, and
 * for the root the environment variables and exit codes. No trailing spaces.
 *
 * @module
 */
import { argsOf, subcommandsOf } from "./_command_tree.ts";
import type { AnyCommand } from "./_command_tree.ts";
import type { FlagDef } from "./command.ts";
import { bold } from "./_colour.ts";
import { globalArgsFor } from "./_global_args.ts";
import { EXIT_CODE_HELP } from "./exit_codes.ts";

/** Environment variables ocisign reads, listed in the root help. */
export const ENVIRONMENT_HELP = `Environment variables:
  OCISIGN_CONFIG_DIR                     configuration directory (else $XDG_CONFIG_HOME/ocisign, else ~/.config/ocisign)
  OCISIGN_USERNAME, OCISIGN_PASSWORD     registry credentials (NOTATION_USERNAME, NOTATION_PASSWORD also read)
  XDG_CACHE_HOME                         CRL cache parent (default: ~/.cache)
  SOURCE_DATE_EPOCH                      build time for build (default: 0)
  NO_COLOR, FORCE_COLOR                  turn colour off (any value) or force it on`;

function columns(rows: Array<[string, string]>, indent = "  "): string {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => (b ? `${indent}${a.padEnd(width)}   ${b}` : `${indent}${a}`))
    .join("\n");
}

function flagRow(name: string, def: FlagDef): [string, string] {
  const short = def.alias?.length === 1 ? `-${def.alias}, ` : "    ";
  const longAlias = def.alias !== undefined && def.alias.length > 1 ? `, --${def.alias}` : "";
  const value = def.type === "boolean"
    ? ""
    : ` <${def.type === "enum" ? def.options.join("|") : def.valueHint ?? "string"}>`;
  const notes = def.type === "boolean" ? [def.description] : [
    def.description,
    def.required ? "(required)" : "",
    def.default !== undefined ? `(default: ${def.default})` : "",
  ];
  return [`${short}--${name}${longAlias}${value}`, notes.filter(Boolean).join(" ")];
}

/**
 * Renders the help of a command.
 *
 * @example
 * ```ts ignore
 * io.stdout(await renderHelp(cmd, ["ocisign", "verify"]));
 * ```
 * @param cmd The command or group.
 * @param path Its words from the root.
 * @param colour Whether section titles may be bold (see `colourEnabled`).
 * @returns The help text, ending with a newline.
 */
export async function renderHelp(
  cmd: AnyCommand,
  path: string[],
  colour = false,
): Promise<string> {
  const title = (t: string) => bold(t, colour);
  const meta = cmd.meta;
  const defs = argsOf(cmd);
  const subs = await subcommandsOf(cmd);
  const name = path.join(" ");
  const out: string[] = [];
  if (meta.description) out.push(meta.description, "");
  out.push(title("Usage:"));
  if (subs) {
    out.push(`  ${name} [command]`);
  } else {
    const words = Object.entries(defs).flatMap(([n, d]) =>
      d.type !== "positional"
        ? []
        : d.required === false || d.default !== undefined
        ? [`[${n}]`]
        : [`<${n}>`]
    );
    if (meta.variadic) {
      const v = `<${meta.variadic.name}>...`;
      words.push(meta.variadic.min > 0 ? v : `[${v}]`);
    }
    out.push(`  ${name} [flags]${words.length ? " " + words.join(" ") : ""}`);
  }
  const alias = meta.alias === undefined
    ? []
    : typeof meta.alias === "string"
    ? [meta.alias]
    : meta.alias;
  if (alias.length) out.push("", title("Aliases:"), `  ${[path.at(-1), ...alias].join(", ")}`);
  if (meta.examples?.length) {
    out.push("", title("Examples:"), ...meta.examples.map((l) => `  ${l}`));
  }
  if (subs) {
    const rows: Array<[string, string]> = [];
    for (const [word, sub] of subs) {
      if (word === sub.name) rows.push([word, sub.cmd.meta.description ?? ""]);
    }
    out.push("", title("Available Commands:"), columns(rows));
  }
  const positionals = Object.entries(defs).filter(([, d]) => d.type === "positional")
    .map(([n, d]): [string, string] => [n, d.description ?? ""]);
  if (meta.variadic) positionals.push([`${meta.variadic.name}...`, meta.variadic.description]);
  if (positionals.length) out.push("", title("Arguments:"), columns(positionals));
  const flags = Object.entries(defs).flatMap(([n, d]) =>
    d.type === "positional" ? [] : [flagRow(n, d)]
  );
  flags.push(["-h, --help", `Help for ${path.length > 1 ? path.at(-1) : name}`]);
  if (path.length === 1) flags.push(["-V, --version", "Print the version"]);
  out.push("", title("Flags:"), columns(flags));
  if (!subs) {
    const globals = Object.entries(globalArgsFor(defs)).map(([n, d]) => flagRow(n, d));
    if (globals.length) out.push("", title("Global Flags:"), columns(globals));
  }
  if (path.length === 1) {
    for (const section of [ENVIRONMENT_HELP, EXIT_CODE_HELP]) {
      const [first, ...rest] = section.split("\n");
      out.push("", title(first!), ...rest);
    }
  }
  if (subs) {
    out.push("", `Use "${name} [command] --help" for more information about a command.`);
  }
  return out.map((l) => l.replace(/[ \t]+$/gm, "")).join("\n") + "\n";
}
