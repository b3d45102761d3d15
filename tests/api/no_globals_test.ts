/**
 * Importing the library changes no globals: no `Reflect.getMetadata` (or any other key on
 * `Reflect` or `globalThis`) is left behind, and an application's own `@peculiar/x509` crypto
 * provider and `reflect-metadata` stay what they were — also after certificates are generated and
 * checked. Each case runs in a fresh process, so nothing else has loaded the library before.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { findPeer } from "../_helpers/peers.ts";
import { BUN_PRELOAD } from "../_helpers/bun.ts";

const PROBE = new URL("./_import_probe.ts", import.meta.url);
const bun = findPeer("bun");

async function probe(
  mode: "fresh" | "preinstalled",
  runtime: "deno" | "bun" = "deno",
): Promise<Record<string, unknown>> {
  const [cmd, ...pre] = runtime === "deno"
    ? [Deno.execPath(), "run", "-A", "--quiet"]
    : [bun!, "run", ...BUN_PRELOAD];
  const out = await new Deno.Command(cmd!, {
    args: [...pre, PROBE.pathname, mode],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assertEquals(out.code, 0, stderr);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("importing mod.ts leaves Reflect and globalThis untouched, also after use", async () => {
  const report = await probe("fresh");
  assertEquals(report.addedByImport, []);
  assertEquals(report.addedByUse, []);
  assertEquals(report.subject, "CN=probe,O=Notary,L=Seattle,ST=WA,C=US");
});

Deno.test("an application's reflect-metadata and @peculiar/x509 crypto provider are kept", async () => {
  const report = await probe("preinstalled");
  assertEquals(report.addedByImport, []);
  assertEquals(report.addedByUse, []);
  assertEquals(report.providerKept, true);
  assertEquals(report.getMetadataKept, true);
});

Deno.test({
  name: "under Bun too, importing mod.ts leaves no globals behind",
  ignore: bun === undefined, // bun is not installed
}, async () => {
  for (const mode of ["fresh", "preinstalled"] as const) {
    const report = await probe(mode, "bun");
    assertEquals(report.addedByImport, [], mode);
    assertEquals(report.addedByUse, [], mode);
  }
});
