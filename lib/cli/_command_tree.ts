/**
 * The command tree: walks the words of a command line down the groups (`cert generate-test`)
 * to the command they name, and lists every command (for help, completion and tests).
 *
 * @module
 */
import type { ArgsDef, CommandDef, CommandMeta } from "npm:citty@0.2.2";
import { UsageError } from "./_args.ts";
import { suggest } from "./_suggest.ts";

// deno-lint-ignore no-explicit-any
export type AnyCommand = CommandDef<any>;

/** citty's command metadata plus what ocisign's help and argument checks read. */
export interface CliMeta extends CommandMeta {
  /** Example command lines for help; a line starting with `#` explains the next one. */
  examples?: readonly string[];
  /** Positional arguments after the declared ones, read from `args._` (`cert add FILE...`). */
  variadic?: { name: string; min: number; description: string };
}

/**
 * Types a command's metadata as {@linkcode CliMeta} inside `defineCommand` (whose `meta` is
 * citty's narrower type).
 *
 * @example
 * ```ts ignore
 * defineCommand({ meta: cliMeta({ name: "show", examples: ["ocisign policy show"] }), run });
 * ```
 * @param meta The metadata.
 * @returns The same object.
 */
export function cliMeta(meta: CliMeta): CliMeta {
  return meta;
}

/** A command reached from the root, with its full name. */
export interface ResolvedCommand {
  /** The command (a group when the words stop at one). */
  cmd: AnyCommand;
  /** Its words from the root: `["ocisign", "cert", "generate-test"]`. */
  path: string[];
  /** The arguments after the command's words. */
  rest: string[];
  /** Whether `-h`/`--help` was given to a group. */
  help: boolean;
}

async function resolve<T>(value: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof value === "function" ? await (value as () => T | Promise<T>)() : await value;
}

/** The command's metadata. */
export async function metaOf(cmd: AnyCommand): Promise<CliMeta> {
  return cmd.meta ? await resolve(cmd.meta) as CliMeta : {};
}

/** The command's argument definitions. */
export async function argsOf(cmd: AnyCommand): Promise<ArgsDef> {
  return cmd.args ? await resolve(cmd.args) as ArgsDef : {};
}

/** The subcommands by name and alias, or undefined for a leaf. */
export async function subcommandsOf(
  cmd: AnyCommand,
): Promise<Map<string, { name: string; cmd: AnyCommand }> | undefined> {
  if (!cmd.subCommands) return undefined;
  const subs = await resolve(cmd.subCommands);
  const out = new Map<string, { name: string; cmd: AnyCommand }>();
  for (const [name, load] of Object.entries(subs)) {
    const sub = await resolve(load) as AnyCommand;
    out.set(name, { name, cmd: sub });
    const alias = (await metaOf(sub)).alias;
    for (const a of alias === undefined ? [] : Array.isArray(alias) ? alias : [alias]) {
      if (!out.has(a)) out.set(a, { name, cmd: sub });
    }
  }
  return out;
}

/**
 * The subcommand `word` names: loads only that command when `word` is its name, and every
 * subcommand (to read their aliases) only when it is not.
 */
async function subcommandNamed(
  cmd: AnyCommand,
  word: string,
): Promise<{ name: string; cmd: AnyCommand } | undefined> {
  const subs = await resolve(cmd.subCommands!);
  if (Object.hasOwn(subs, word)) {
    return { name: word, cmd: await resolve(subs[word]) as AnyCommand };
  }
  return (await subcommandsOf(cmd))!.get(word);
}

/**
 * Follows the leading words of `argv` down the command groups.
 *
 * @param root The root command.
 * @param argv The arguments after the program name.
 * @returns The command reached and the remaining arguments.
 * @throws {UsageError} ERR_USAGE for an unknown command or a flag given to a group.
 */
export async function resolveCommand(root: AnyCommand, argv: string[]): Promise<ResolvedCommand> {
  let cmd = root;
  const path = [(await metaOf(root)).name ?? "ocisign"];
  let i = 0;
  for (;;) {
    if (!cmd.subCommands) return { cmd, path, rest: argv.slice(i), help: false };
    const word = argv[i];
    if (word === undefined) return { cmd, path, rest: [], help: false };
    if (word === "-h" || word === "--help") return { cmd, path, rest: [], help: true };
    if (word.startsWith("-") && word !== "-") {
      throw new UsageError(`unknown flag: ${word.split("=")[0]}`);
    }
    const next = await subcommandNamed(cmd, word);
    if (next === undefined) {
      const subs = (await subcommandsOf(cmd))!;
      const names = [...subs.values()].map((s) => s.name);
      throw new UsageError(
        `unknown command "${word}" for "${path.join(" ")}"`,
        suggest(word, names),
      );
    }
    cmd = next.cmd;
    path.push(next.name);
    i++;
  }
}

/**
 * Every command under `root`, groups before their members, in help order.
 *
 * @param root The root command.
 * @returns Each command with its full path.
 */
export async function allCommands(
  root: AnyCommand,
): Promise<Array<{ path: string[]; cmd: AnyCommand; group: boolean }>> {
  const out: Array<{ path: string[]; cmd: AnyCommand; group: boolean }> = [];
  async function walk(cmd: AnyCommand, path: string[]): Promise<void> {
    const subs = await subcommandsOf(cmd);
    out.push({ path, cmd, group: subs !== undefined });
    for (const [word, sub] of subs ?? []) {
      if (word === sub.name) await walk(sub.cmd, [...path, word]);
    }
  }
  await walk(root, [(await metaOf(root)).name ?? "ocisign"]);
  return out;
}
