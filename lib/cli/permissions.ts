/**
 * Deno's permissions, checked before the command line loads: every command reads environment
 * variables and files, so a `deno run` without `--allow-env` or `--allow-read` stops here with the
 * flags to add instead of a runtime stack trace. Permission errors that surface later (a write, a
 * connection) become a {@linkcode PermissionError} naming the flag.
 *
 * @module
 */
import { OcisignError } from "../errors.ts";

/** The one-liner's permissions, as the README shows them. */
export const DENO_PERMISSIONS =
  "--allow-read --allow-write --allow-env --allow-net --allow-sys=hostname";

/** Deno did not grant a permission the command needs (exit code 2). */
export class PermissionError extends OcisignError {
  /** @param message What was denied and which `--allow-*` flag grants it. */
  constructor(message: string) {
    super("ERR_USAGE", message);
  }
}

/**
 * The `--allow-*` flags every command needs that this Deno process lacks; empty under Bun, Node
 * or a Deno that granted them.
 *
 * @example
 * ```ts
 * import { missingStartupPermissions } from "./permissions.ts";
 * const flags = missingStartupPermissions(); // [] when run with -A
 * ```
 */
export function missingStartupPermissions(): string[] {
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (deno?.permissions?.querySync === undefined) return [];
  const names = ["read", "env"] as const;
  return names.filter((name) => deno.permissions.querySync({ name }).state !== "granted")
    .map((name) => `--allow-${name}`);
}

/**
 * Turns Deno's `NotCapable` error (anywhere in a cause chain) into a {@linkcode PermissionError}
 * that names the flag to add; other errors are returned unchanged.
 *
 * @example
 * ```ts
 * import { permissionError } from "./permissions.ts";
 * const err = permissionError(new Error("boom")); // the same error back
 * ```
 */
export function permissionError(err: unknown): unknown {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const flag = /run again with the (--allow-[a-z-]+) flag/.exec(e.message)?.[1];
    if (e.name !== "NotCapable" && flag === undefined) continue;
    const what = e.message.replace(/, run again with the --allow-[a-z-]+ flag.*$/s, "");
    // --allow-ffi (PKCS#11) and --allow-run (plugins, credential helpers) come on top of the rest.
    const all = flag === undefined || DENO_PERMISSIONS.split(" ").includes(flag)
      ? DENO_PERMISSIONS
      : `${DENO_PERMISSIONS} ${flag}`;
    return new PermissionError(
      `Deno did not grant a permission ocisign needs: ${what}. Run again with ${
        flag ?? "the matching --allow-* flag"
      } (all the command line needs: ${all}), or with -A.`,
    );
  }
  return err;
}
