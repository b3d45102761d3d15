/**
 * The command tree: walks the words of a command line down the groups (`cert generate-test`)
 * to the command they name, and lists every command (for help, completion and tests).
 *
 * @module
 */
import type { ArgsDef, CommandDef } from "./command.ts";
import { UsageError } from "./_args.ts";
import { suggest } from "./_suggest.ts";

/** A command whatever its arguments. */
// deno-lint-ignore no-explicit-any
export type AnyCommand = CommandDef<any>;

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

/** The command's argument definitions. */
export function argsOf(cmd: AnyCommand): ArgsDef {
  return cmd.args ?? {};
}

/** The subcommands by name and alias, or undefined for a leaf. */
export async function subcommandsOf(
  cmd: AnyCommand,
): Promise<Map<string, { name: string; cmd: AnyCommand }> | undefined> {
  if (!cmd.subCommands) return undefined;
  const out = new Map<string, { name: string; cmd: AnyCommand }>();
  for (const [name, load] of Object.entries(cmd.subCommands)) {
    const sub = await load();
    out.set(name, { name, cmd: sub });
    const alias = sub.meta.alias;
    for (const a of alias === undefined ? [] : typeof alias === "string" ? [alias] : alias) {
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
  const load = Object.hasOwn(cmd.subCommands!, word) ? cmd.subCommands![word] : undefined;
  if (load !== undefined) return { name: word, cmd: await load() };
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
  const path = [root.meta.name];
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
  await walk(root, [root.meta.name]);
  return out;
}
