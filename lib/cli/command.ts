/**
 * ocisign's command framework: the shape of a command (its metadata, argument definitions,
 * subcommands and `run`), {@linkcode defineCommand} to write one with typed arguments, and
 * {@linkcode runCommand} to run one with the arguments `checkArgs` has checked. Help,
 * completion and the strict argument checks all read the same definitions.
 *
 * @module
 */
import type { CheckedArgs } from "./_strict_args.ts";

/** A boolean flag: `--name`, `--no-name`, `--name=true|false` (undefined when not given). */
export interface BooleanArgDef {
  /** The kind of argument. */
  type: "boolean";
  /** Help text. */
  description?: string;
  /** Another spelling: one letter (`-d`) or a word (`--insecure-registry`). */
  alias?: string;
}

/** A flag with a value: `--name value`, `--name=value`, `-n value`, `-nvalue`. */
export interface StringArgDef {
  /** The kind of argument. */
  type: "string";
  /** Help text. */
  description?: string;
  /** Another spelling: one letter (`-d`) or a word (`--insecure-registry`). */
  alias?: string;
  /** The value's name in help (`<string>` by default); `"int"` also makes it a whole number. */
  valueHint?: string;
  /** The flag must be given. */
  required?: boolean;
  /** The value when the flag is not given. */
  default?: string;
}

/** A flag whose value is one of `options`. */
export interface EnumArgDef {
  /** The kind of argument. */
  type: "enum";
  /** Help text. */
  description?: string;
  /** Another spelling: one letter (`-d`) or a word (`--insecure-registry`). */
  alias?: string;
  /** The values allowed. */
  options: readonly string[];
  /** The flag must be given. */
  required?: boolean;
  /** The value when the flag is not given. */
  default?: string;
}

/** A positional argument, in declaration order; required unless `required: false`. */
export interface PositionalArgDef {
  /** The kind of argument. */
  type: "positional";
  /** Help text. */
  description?: string;
  /** `false` makes the argument optional. */
  required?: boolean;
  /** The value when the argument is not given. */
  default?: string;
}

/** A flag's definition. */
export type FlagDef = BooleanArgDef | StringArgDef | EnumArgDef;

/** One argument's definition. */
export type ArgDef = FlagDef | PositionalArgDef;

/** A command's arguments, by name (the long flag without `--`). */
export type ArgsDef = Record<string, ArgDef>;

/** What help, completion and the argument checks read about a command. */
export interface CommandMeta {
  /** The command's word. */
  name: string;
  /** One line for help and completion. */
  description?: string;
  /** Other words for the command (`ls` for `list`). */
  alias?: string | readonly string[];
  /** Example command lines for help; a line starting with `#` explains the next one. */
  examples?: readonly string[];
  /** Positional arguments after the declared ones, read from `args._` (`cert add FILE...`). */
  variadic?: { name: string; min: number; description: string };
}

type ValueOf<D extends ArgDef> = D extends BooleanArgDef ? boolean
  : D extends { type: "enum"; options: readonly (infer O)[] } ? O
  : string;

/** Whether an argument always has a value once the arguments are checked. */
type AlwaysSet<D extends ArgDef> = D extends { default: string } ? true
  : D extends { required: true } ? true
  : D extends { type: "positional"; required?: undefined } ? true
  : false;

/** The arguments `run` gets: each by its name, and every positional word in `_`. */
export type ParsedArgs<T extends ArgsDef = ArgsDef> =
  & { _: string[] }
  & { [K in keyof T]: AlwaysSet<T[K]> extends true ? ValueOf<T[K]> : ValueOf<T[K]> | undefined };

/** The checked values of any command's arguments (what {@linkcode ParsedArgs} types). */
export interface ArgValues {
  /** Every positional word. */
  _: string[];
  /** A value by argument name (undefined for a flag not given and without a default). */
  [name: string]: string | boolean | string[] | undefined;
}

/** What a command's `run` is called with. */
export interface CommandContext<T extends ArgsDef = ArgsDef> {
  /** The checked arguments. */
  args: ParsedArgs<T>;
  /**
   * The arguments in canonical form (`--name=value`, `--name`, `--no-name`, `--`, then the
   * positional words), for repeated flags (see `repeatedFlag`).
   */
  rawArgs: string[];
}

/** A command, or a group when it has `subCommands`. */
export interface CommandDef<T extends ArgsDef = ArgsDef> {
  /** Name, description, aliases, examples. */
  meta: CommandMeta;
  /** The arguments, checked before `run`. */
  args?: T;
  /** A group's commands by name, each loaded only when needed. */
  // deno-lint-ignore no-explicit-any
  subCommands?: Record<string, () => CommandDef<any> | Promise<CommandDef<any>>>;
  /** Does the command's work. */
  run?: (context: CommandContext<T>) => unknown;
}

/**
 * Types a command: infers its arguments' names and value types from `args` for `run`.
 *
 * @example
 * ```ts
 * import { defineCommand } from "./command.ts";
 * const hello = defineCommand({
 *   meta: { name: "hello", description: "Say hello" },
 *   args: { name: { type: "positional", description: "Who to greet" } },
 *   run: ({ args }) => console.log(`hello ${args.name}`),
 * });
 * ```
 * @param def The command.
 * @returns The same command.
 */
export function defineCommand<const T extends ArgsDef = ArgsDef>(
  def: CommandDef<T>,
): CommandDef<T> {
  return def;
}

/**
 * Runs a command with its checked arguments.
 *
 * @example
 * ```ts ignore
 * await runCommand(cmd, checkArgs(defs, rest, cmd.meta));
 * ```
 * @param cmd The command (not a group).
 * @param checked What `checkArgs` made of the command line, against `cmd.args`.
 */
// deno-lint-ignore no-explicit-any
export async function runCommand(cmd: CommandDef<any>, checked: CheckedArgs): Promise<void> {
  await cmd.run?.({ args: checked.args, rawArgs: checked.argv });
}
