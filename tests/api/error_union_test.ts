/**
 * `AnyOcisignError` covers every error class the library exports, and every code that has a class:
 * a `switch (err.code)` on it narrows to the class.
 */
import { assertEquals } from "../_helpers/assert.ts";
import * as root from "../../mod.ts";
import type { AnyOcisignError, ErrorCode } from "../../mod.ts";

// Compile-time: every stable code has a class in the union, except the two thrown as a plain
// OcisignError (ERR_INTERNAL) or by the command line only (ERR_USAGE).
type Unclassed = Exclude<ErrorCode, AnyOcisignError["code"]>;
const unclassed: Record<Unclassed, true> = { ERR_INTERNAL: true, ERR_USAGE: true };

Deno.test("codes without an error class of their own", () => {
  assertEquals(Object.keys(unclassed).sort(), ["ERR_INTERNAL", "ERR_USAGE"]);
});

Deno.test("every error class exported by mod.ts is a member of AnyOcisignError", async () => {
  const source = await Deno.readTextFile(new URL("../../lib/errors.ts", import.meta.url));
  const union = source.slice(source.indexOf("export type AnyOcisignError ="));
  const members = new Set([...union.matchAll(/\|\s*(\w+)/g)].map((m) => m[1]));
  const classes = Object.entries(root)
    .filter(([, v]) => typeof v === "function" && v.prototype instanceof root.OcisignError)
    .map(([name]) => name);
  assertEquals(classes.filter((c) => !members.has(c)), []);
  assertEquals(classes.length, members.size);
});

Deno.test("switch on code narrows to the class and its fields", () => {
  const errors: AnyOcisignError[] = [
    new root.DigestMismatchError("sha256:aa", "sha256:bb"),
    new root.RegistryError("denied", 403, ["DENIED"]),
  ];
  const seen = errors.map((e) => {
    switch (e.code) {
      case "ERR_DIGEST_MISMATCH":
        return e.expected;
      case "ERR_REGISTRY":
        return e.status;
      default:
        return e.code;
    }
  });
  assertEquals(seen, ["sha256:aa", 403]);
});
