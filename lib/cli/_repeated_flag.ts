/**
 * Repeated string flags (`--scope a --scope b`): a command's `args` keep only the last value, so
 * the values are collected from the raw arguments.
 *
 * @module
 */

/**
 * Collects every value of a string flag, in order, from `--name value`, `--name=value` and the
 * aliases' forms; stops at `--`.
 *
 * @param rawArgs The command's raw arguments.
 * @param names The flag name and its aliases, without dashes.
 * @returns The values.
 */
export function repeatedFlag(rawArgs: readonly string[], names: readonly string[]): string[] {
  const spellings = names.map((n) => (n.length === 1 ? `-${n}` : `--${n}`));
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const arg = rawArgs[i]!;
    if (arg === "--") break;
    for (const flag of spellings) {
      if (arg === flag && i + 1 < rawArgs.length) {
        out.push(rawArgs[++i]!);
        break;
      }
      if (arg.startsWith(flag + "=")) {
        out.push(arg.slice(flag.length + 1));
        break;
      }
    }
  }
  return out;
}
