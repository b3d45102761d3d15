/**
 * Flags every command takes (cobra's persistent flags): `-v/--verbose` and `-d/--debug`. A
 * command that uses one of the short letters for its own flag (`cert generate-test -d` is
 * `--default`) keeps it; the long form still works there.
 *
 * @module
 */
import type { ArgsDef } from "npm:citty@0.2.2";

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
} as const satisfies ArgsDef;

/**
 * The global flags as they apply to a command: those it does not define itself, without a short
 * alias it already uses.
 *
 * @param defs The command's own `args`.
 * @returns Flags to add to them.
 */
export function globalArgsFor(defs: ArgsDef): ArgsDef {
  const taken = new Set<string>();
  for (const [name, def] of Object.entries(defs)) {
    taken.add(name);
    const alias = (def as { alias?: string | string[] }).alias;
    for (const a of alias === undefined ? [] : Array.isArray(alias) ? alias : [alias]) taken.add(a);
  }
  const out: ArgsDef = {};
  for (const [name, def] of Object.entries(GLOBAL)) {
    if (taken.has(name)) continue;
    out[name] = taken.has(def.alias) ? { type: def.type, description: def.description } : def;
  }
  return out;
}
