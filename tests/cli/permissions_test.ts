/**
 * Deno's permission refusals become a {@linkcode PermissionError} (exit 2) naming the flag to add
 * and the whole command line: a flag beyond the one-liner's (`--allow-ffi` for a PKCS#11 token,
 * `--allow-run` for plugins) is part of that line.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { DENO_PERMISSIONS, PermissionError, permissionError } from "../../lib/cli/permissions.ts";

/** Deno's own refusal, as `Deno.dlopen` or `Deno.Command` throws it. */
function refusal(what: string, flag: string): Error {
  return new Deno.errors.NotCapable(`Requires ${what}, run again with the ${flag} flag`);
}

Deno.test("a refused permission names its flag and the full command line", () => {
  const write = permissionError(
    new Error("cannot write", {
      cause: refusal('write access to "./img"', "--allow-write"),
    }),
  );
  assert(write instanceof PermissionError);
  assertEquals(write.code, "ERR_USAGE");
  assert.match(write.message, /Run again with --allow-write \(all the command line needs: /);
  assert(write.message.includes(`needs: ${DENO_PERMISSIONS}), or with -A.`), write.message);

  const ffi = permissionError(refusal('ffi access to "/usr/lib/x.so"', "--allow-ffi"));
  assert(ffi instanceof PermissionError);
  assert(
    ffi.message.includes(`needs: ${DENO_PERMISSIONS} --allow-ffi), or with -A.`),
    ffi.message,
  );

  const other = new Error("not a permission");
  assertEquals(permissionError(other), other);
});
