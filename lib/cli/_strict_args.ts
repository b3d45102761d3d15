/**
 * Strict arguments, checked before a command runs: every command line is checked against the
 * command's own `args` (names, aliases, `--no-x` for booleans, `--x=v`, `--`), with pflag's
 * messages, and comes out as the values `run` gets and in one canonical spelling. A flag added
 * to a command's `args` is covered with nothing else to do; a `valueHint` of `"int"` makes it a
 * whole number.
 *
 * @module
 */
import type { ArgsDef, ArgValues, CommandMeta, FlagDef, PositionalArgDef } from "./command.ts";
import { INT_HINT, UsageError } from "./_args.ts";
import { suggest } from "./_suggest.ts";

/** Flags whose values are secrets: never echoed in an error. */
const SECRET = /password|pin|secret|token/i;

interface Flag {
  name: string;
  def: FlagDef;
}

/** How a flag is spelled in messages: `-o, --output` (pflag's form). */
function spelled(flag: Flag): string {
  const short = flag.def.alias?.length === 1 ? flag.def.alias : undefined;
  return short ? `-${short}, --${flag.name}` : `--${flag.name}`;
}

function checkValue(flag: Flag, value: string): void {
  const def = flag.def;
  const shown = SECRET.test(flag.name) ? "" : ` ${JSON.stringify(value)}`;
  if (def.type === "enum" && !def.options.includes(value)) {
    throw new UsageError(
      `invalid argument${shown} for "${spelled(flag)}" flag: must be one of ${
        def.options.join(", ")
      }`,
    );
  }
  if (def.type === "string" && def.valueHint === INT_HINT && !/^-?\d+$/.test(value)) {
    throw new UsageError(
      `invalid argument${shown} for "${spelled(flag)}" flag: must be a whole number`,
    );
  }
}

/** The result of {@linkcode checkArgs}. */
export interface CheckedArgs {
  /** The same arguments, canonical: `--name=value`, `--name`, `--no-name`, `--`, positionals. */
  argv: string[];
  /** Whether `-h`/`--help` was among the flags. */
  help: boolean;
  /**
   * The values: each flag's last one or its default (undefined when neither), each positional
   * argument in order, and every positional word in `_`.
   */
  args: ArgValues;
}

/**
 * Checks a command's arguments against its definitions.
 *
 * @example
 * ```ts
 * import { checkArgs } from "./_strict_args.ts";
 * const { argv, args } = checkArgs({ all: { type: "boolean", alias: "a" } }, ["-a"], {
 *   name: "list",
 * });
 * // argv: ["--all", "--"], args: { _: [], all: true }
 * ```
 * @param defs The command's `args`.
 * @param rawArgs The arguments after the command's words.
 * @param meta The command's metadata (`variadic`).
 * @returns The values and the canonical arguments.
 * @throws {UsageError} ERR_USAGE for an unknown flag, a missing or malformed value, a boolean
 *   given a value other than true/false, a missing required flag, or too few or too many
 *   positional arguments.
 */
export function checkArgs(
  defs: ArgsDef,
  rawArgs: readonly string[],
  meta: CommandMeta,
): CheckedArgs {
  const words: string[] = [];
  const args: ArgValues = { _: words };
  const long = new Map<string, Flag>();
  const short = new Map<string, Flag>();
  const positionals: Array<[string, PositionalArgDef]> = [];
  const requiredFlags: string[] = [];
  for (const [name, def] of Object.entries(defs)) {
    if (def.type === "positional") {
      positionals.push([name, def]);
      continue;
    }
    if (def.type !== "boolean") {
      args[name] = def.default;
      if (def.required === true && def.default === undefined) requiredFlags.push(name);
    }
    long.set(name, { name, def });
    if (def.alias !== undefined) {
      (def.alias.length === 1 ? short : long).set(def.alias, { name, def });
    }
  }
  const flags: string[] = [];
  let help = false;
  const take = (flag: Flag, value: string) => {
    checkValue(flag, value);
    flags.push(`--${flag.name}=${value}`);
    args[flag.name] = value;
  };
  const setBoolean = (flag: Flag, value: boolean) => {
    flags.push(value ? `--${flag.name}` : `--no-${flag.name}`);
    args[flag.name] = value;
  };
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") {
      words.push(...rawArgs.slice(i + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      const inline = eq < 0 ? undefined : arg.slice(eq + 1);
      let flag = long.get(name);
      let negated = false;
      if (flag === undefined && name.startsWith("no-")) {
        const base = long.get(name.slice(3));
        if (base?.def.type === "boolean" && inline === undefined) [flag, negated] = [base, true];
      }
      if (flag === undefined) {
        const names = [...long.keys()].map((n) => `--${n}`);
        throw new UsageError(`unknown flag: --${name}`, suggest(`--${name}`, names));
      }
      if (flag.def.type === "boolean") {
        if (inline !== undefined && inline !== "true" && inline !== "false") {
          throw new UsageError(
            `invalid argument ${JSON.stringify(inline)} for "${
              spelled(flag)
            }" flag: must be true or false`,
          );
        }
        setBoolean(flag, !negated && inline !== "false");
        continue;
      }
      if (inline !== undefined) take(flag, inline);
      else if (i + 1 < rawArgs.length) take(flag, rawArgs[++i]!);
      else throw new UsageError(`flag needs an argument: --${name}`);
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      // -abc: short booleans in a group; a value flag takes the rest, `=value` or the next word
      for (let j = 1; j < arg.length; j++) {
        const c = arg[j]!;
        const flag = short.get(c);
        if (flag === undefined) {
          throw new UsageError(`unknown shorthand flag: '${c}' in ${arg.split("=")[0]}`);
        }
        const rest = arg.slice(j + 1);
        if (flag.def.type === "boolean") {
          if (rest.startsWith("=")) {
            const v = rest.slice(1);
            if (v !== "true" && v !== "false") {
              throw new UsageError(
                `invalid argument ${JSON.stringify(v)} for "${
                  spelled(flag)
                }" flag: must be true or false`,
              );
            }
            setBoolean(flag, v !== "false");
            break;
          }
          setBoolean(flag, true);
          continue;
        }
        if (rest !== "") take(flag, rest.startsWith("=") ? rest.slice(1) : rest);
        else if (i + 1 < rawArgs.length) take(flag, rawArgs[++i]!);
        else throw new UsageError(`flag needs an argument: '${c}' in -${c}`);
        break;
      }
      continue;
    }
    words.push(arg);
  }
  if (!help) {
    const missing = requiredFlags.filter((name) => args[name] === undefined);
    if (missing.length > 0) {
      throw new UsageError(`required flag(s) ${missing.map((n) => `"${n}"`).join(", ")} not set`);
    }
    checkCounts(positionals, words, meta);
  }
  for (const [i, [name, def]] of positionals.entries()) args[name] = words[i] ?? def.default;
  return { argv: [...flags, "--", ...words], help, args };
}

function checkCounts(
  positionals: Array<[string, PositionalArgDef]>,
  words: string[],
  meta: CommandMeta,
): void {
  const required =
    positionals.filter(([, def]) => def.required !== false && def.default === undefined).length +
    (meta.variadic?.min ?? 0);
  const most = meta.variadic ? Infinity : positionals.length;
  if (words.length < required) {
    const names = [...positionals.map(([n]) => n.toUpperCase()), meta.variadic?.name]
      .filter(Boolean).slice(words.length);
    throw new UsageError(
      `${
        meta.variadic ? `requires at least ${required}` : `accepts ${required}`
      } arg(s), received ${words.length} (missing ${names.join(", ")})`,
    );
  }
  if (words.length > most) {
    throw new UsageError(
      `${
        required === most ? "accepts" : "accepts at most"
      } ${most} arg(s), received ${words.length}`,
    );
  }
}

/**
 * Whether the arguments ask for JSON output (an enum `--output` or `--format` set to `json`),
 * read leniently so that even a rejected command line gets its error as JSON.
 *
 * @param defs The command's `args`.
 * @param rawArgs The arguments after the command's words.
 * @returns True for JSON output.
 */
export function wantsJson(defs: ArgsDef, rawArgs: readonly string[]): boolean {
  const spellings = new Set<string>();
  for (const [name, def] of Object.entries(defs)) {
    if (def.type !== "enum" || !def.options.includes("json")) continue;
    spellings.add(`--${name}`);
    if (def.alias !== undefined) {
      spellings.add(def.alias.length === 1 ? `-${def.alias}` : `--${def.alias}`);
    }
  }
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    if (spellings.has(arg) && rawArgs[i + 1] === "json") return true;
    const eq = arg.indexOf("=");
    if (eq > 0 && spellings.has(arg.slice(0, eq)) && arg.slice(eq + 1) === "json") return true;
    if (/^-[a-zA-Z]json$/.test(arg) && spellings.has(arg.slice(0, 2))) return true;
  }
  return false;
}
