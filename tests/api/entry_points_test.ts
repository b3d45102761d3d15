/**
 * The package's entry points: every subpath in deno.json's `exports` loads and exports something,
 * and the root stays small (the main verbs and the errors, no internals).
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import * as root from "../../mod.ts";

const ROOT = new URL("../../", import.meta.url);
const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
const exportsMap = config.exports as Record<string, string>;

Deno.test("every library entry point in deno.json loads and has exports", async () => {
  for (const [name, path] of Object.entries(exportsMap)) {
    if (name === "./cli") continue; // a program: importing it runs the command line
    const mod = await import(new URL(path, ROOT).href);
    assert(Object.keys(mod).length > 0, `${name} (${path}) exports nothing`);
  }
});

Deno.test("the root exports the main verbs and the errors, nothing else", () => {
  const verbs = [
    "buildImage",
    "copy",
    "listSignatures",
    "openLayout",
    "openRepository",
    "Registry",
    "signArtifact",
    "signBlob",
    "verifyArtifact",
    "verifyBlob",
  ];
  const isError = (v: unknown) =>
    v === root.OcisignError ||
    (typeof v === "function" && v.prototype instanceof root.OcisignError);
  const rest = Object.entries(root)
    .filter(([name, v]) => !verbs.includes(name) && !isError(v) && name !== "isErrorCode")
    .map(([name]) => name);
  assertEquals(rest, []);
  for (const verb of verbs) {
    assertEquals(typeof (root as Record<string, unknown>)[verb], "function");
  }
});
