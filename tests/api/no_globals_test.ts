/**
 * Importing the library changes no globals: no `Reflect.getMetadata` (or any other key on
 * `Reflect` or `globalThis`) is left behind, and an application's own `@peculiar/x509` crypto
 * provider and `reflect-metadata` stay what they were — also after certificates are generated and
 * checked. Each case runs in a fresh process, so nothing else has loaded the library before.
 */
import { assertEquals } from "../_helpers/assert.ts";

const PROBE = new URL("./_import_probe.ts", import.meta.url);

async function probe(mode: "fresh" | "preinstalled"): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", PROBE.pathname, mode],
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
