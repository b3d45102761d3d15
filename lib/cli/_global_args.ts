/**
 * Flags every command takes (cobra's persistent flags): `-v/--verbose` and `-d/--debug`. A
 * command that uses one of the short letters for its own flag (`cert generate-test -d` is
 * `--default`) keeps it; the long form still works there.
 *
 * @module
 */
import type { ArgsDef, BooleanArgDef } from "./command.ts";

const GLOBAL = {
  verbose: {
    type: "boolean",
    alias: "v",
    description:
      "Show what the command does (resolved digest, trust policy statement, checks) and causes of errors",
  },
  debug: {
    type: "boolean",
    alias: "d",
    description: "Also show each HTTP request: method, URL and status (never credentials)",
  },
} as const satisfies Record<string, BooleanArgDef>;

/**
 * The global flags as they apply to a command: those it does not define itself, without a short
 * alias it already uses.
 *
 * @param defs The command's own `args`.
 * @returns Flags to add to them.
 */
export function globalArgsFor(defs: ArgsDef): Record<string, BooleanArgDef> {
  const taken = new Set<string>();
  for (const [name, def] of Object.entries(defs)) {
    taken.add(name);
    if (def.type !== "positional" && def.alias !== undefined) taken.add(def.alias);
  }
  const out: Record<string, BooleanArgDef> = {};
  for (const [name, def] of Object.entries(GLOBAL)) {
    if (taken.has(name)) continue;
    out[name] = taken.has(def.alias) ? { type: def.type, description: def.description } : def;
  }
  return out;
}
