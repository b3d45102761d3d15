import { assert, assertEquals } from "../../_helpers/assert.ts";
import { cliSandbox } from "../../_helpers/cli.ts";
import type { CliSandbox } from "../../_helpers/cli.ts";
import { addTestKey } from "../../_helpers/test_key.ts";

const NAME = "wabbit-networks.io";

async function withSandbox(fn: (sb: CliSandbox) => Promise<void>): Promise<void> {
  const sb = await cliSandbox();
  try {
    await fn(sb);
  } finally {
    await sb.close();
  }
}

Deno.test("cert generate-test prints what notation prints and writes the files", async () => {
  await withSandbox(async (sb) => {
    const now = new Date("2026-05-01T10:00:00.250Z");
    const r = await sb.runWith({ now: () => now }, "cert", "generate-test", NAME, "--default");
    assertEquals(r.code, 0, r.stderr);
    const key = `${sb.configDir}/localkeys/${NAME}.key`;
    const crt = `${sb.configDir}/localkeys/${NAME}.crt`;
    assertEquals(
      r.stdout,
      [
        "generating RSA Key with 2048 bits",
        "generated certificate expiring on 2026-05-02T10:00:00Z",
        `wrote key: ${key}`,
        `wrote certificate: ${crt}`,
        `Successfully added ${NAME}.crt to named store ${NAME} of type ca`,
        `${NAME}: added to the key list`,
        `${NAME}: mark as default signing key`,
        "",
      ].join("\n"),
    );
    assertEquals(r.stderr, "");
    assert.ok(!r.stdout.includes("PRIVATE KEY"), "the private key must never be printed");
    assertEquals((await Deno.stat(key)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(`${sb.configDir}/signingkeys.json`)).mode! & 0o777, 0o600);
    assertEquals((await Deno.stat(`${sb.configDir}/localkeys`)).mode! & 0o777, 0o700);
    const stored = `${sb.configDir}/truststore/x509/ca/${NAME}/${NAME}.crt`;
    assertEquals(await Deno.readTextFile(stored), await Deno.readTextFile(crt));
    assert.ok((await Deno.readTextFile(key)).startsWith("-----BEGIN PRIVATE KEY-----"));
    assertEquals(JSON.parse(await Deno.readTextFile(`${sb.configDir}/signingkeys.json`)), {
      default: NAME,
      keys: [{ name: NAME, keyPath: key, certPath: crt }],
    });
  });
});

Deno.test("cert generate-test without --default leaves the default unset; a repeat fails cleanly", async () => {
  await withSandbox(async (sb) => {
    assertEquals((await sb.run("cert", "generate-test", NAME, "--bits", "3072")).code, 0);
    const keysFile = `${sb.configDir}/signingkeys.json`;
    const before = await Deno.readTextFile(keysFile);
    assertEquals(JSON.parse(before).default, undefined);
    const again = await sb.run("cert", "generate-test", NAME);
    assertEquals(again.code, 2);
    assert.match(again.stderr, /already exists/);
    assertEquals(again.stdout, "");
    assertEquals(await Deno.readTextFile(keysFile), before);
  });
});

Deno.test("cert generate-test rejects bad names and key sizes", async () => {
  await withSandbox(async (sb) => {
    const bad = await sb.run("cert", "generate-test", "bad/name");
    assertEquals(bad.code, 2);
    assert.match(bad.stderr, /name needs to follow \[a-zA-Z0-9_\.-\]\+ format/);
    const bits = await sb.run("cert", "generate-test", "ok", "--bits", "1024");
    assertEquals(bits.code, 2);
    assert.match(bits.stderr, /1024/);
    const missing = await sb.run("cert", "generate-test");
    assertEquals(missing.code, 2);
    assertEquals(await Deno.stat(sb.configDir).catch(() => undefined), undefined);
  });
});

Deno.test("cert list shows the trust store as a table and as json", async () => {
  await withSandbox(async (sb) => {
    const empty = await sb.run("cert", "list");
    assertEquals([empty.code, empty.stdout], [0, ""]);
    await addTestKey(sb, NAME, false);
    const text = await sb.run("cert", "list");
    assertEquals(text.code, 0);
    assertEquals(
      text.stdout,
      "STORE TYPE   STORE NAME           CERTIFICATE              \n" +
        `ca           ${NAME}   ${NAME}.crt   \n`,
    );
    const json = await sb.run("cert", "ls", "--type", "ca", "--output", "json");
    assertEquals(json.code, 0, json.stderr);
    assertEquals(JSON.parse(json.stdout), [{
      storeType: "ca",
      storeName: NAME,
      certificate: `${NAME}.crt`,
      path: `${sb.configDir}/truststore/x509/ca/${NAME}/${NAME}.crt`,
    }]);
    assertEquals((await sb.run("cert", "list", "--type", "tsa")).stdout, "");
    assertEquals((await sb.run("cert", "list", "--type", "nope")).stdout, "");
    assertEquals((await sb.run("cert", "list", "--store", "other")).stdout, "");
  });
});

Deno.test("cert show prints the certificate details", async () => {
  await withSandbox(async (sb) => {
    const now = new Date("2026-05-01T10:00:00Z");
    assertEquals((await sb.runWith({ now: () => now }, "cert", "generate-test", NAME)).code, 0);
    const r = await sb.run("cert", "show", "--type", "ca", "--store", NAME, `${NAME}.crt`);
    assertEquals(r.code, 0, r.stderr);
    const dn = `CN=${NAME},O=Notary,L=Seattle,ST=WA,C=US`;
    const lines = r.stdout.split("\n");
    assertEquals(lines.slice(0, 7), [
      "Certificate details",
      "-".repeat(80),
      `Issuer: ${dn}`,
      `Subject: ${dn}`,
      "Valid from: 2026-05-01 10:00:00 +0000 UTC",
      "Valid to: 2026-05-02 10:00:00 +0000 UTC",
      "IsCA: false",
    ]);
    assert.match(lines[7]!, /^SHA256 Thumbprint: [0-9a-f]{64}$/);
    const json = await sb.run("cert", "show", "-t", "ca", "-s", NAME, `${NAME}.crt`, "-o", "json");
    assertEquals(JSON.parse(json.stdout)[0].subject, dn);
    const missing = await sb.run("cert", "show", "-t", "ca", "-s", NAME, "nope.crt");
    assertEquals(missing.code, 5);
    const escape = await sb.run(
      "cert",
      "show",
      "-t",
      "ca",
      "-s",
      NAME,
      "../../../../signingkeys.json",
    );
    assertEquals(escape.code, 2);
    const badType = await sb.run("cert", "show", "-t", "CA", "-s", NAME, `${NAME}.crt`);
    assertEquals(badType.code, 2);
    assert.match(badType.stderr, /unsupported store type: CA/);
  });
});

Deno.test("cert add copies certificates into a store and refuses duplicates and non-certificates", async () => {
  await withSandbox(async (sb) => {
    await addTestKey(sb, NAME, false);
    const crt = `${sb.configDir}/localkeys/${NAME}.crt`;
    await Deno.copyFile(crt, `${sb.cwd}/root.pem`);
    await Deno.writeTextFile(`${sb.cwd}/junk.pem`, "not a certificate");
    const r = await sb.run(
      "cert",
      "add",
      "--type",
      "signingAuthority",
      "--store",
      "acme",
      "root.pem",
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(
      r.stdout,
      "Successfully added following certificates to named store acme of type signingAuthority:\nroot.pem\n",
    );
    const stored = `${sb.configDir}/truststore/x509/signingAuthority/acme/root.pem`;
    assertEquals(await Deno.readTextFile(stored), await Deno.readTextFile(crt));
    assertEquals((await Deno.stat(stored)).mode! & 0o777, 0o600);

    const dup = await sb.run("cert", "add", "-t", "signingAuthority", "-s", "acme", "root.pem");
    assertEquals(dup.code, 2);
    assert.match(
      dup.stderr,
      /Failed to add following certificates to named store acme of type signingAuthority:\nroot\.pem, with error "certificate already exists in the Trust Store/,
    );

    const junk = await sb.run("cert", "add", "-t", "ca", "-s", "acme", "junk.pem");
    assertEquals(junk.code, 8);
    assertEquals(
      await Deno.stat(`${sb.configDir}/truststore/x509/ca/acme`).catch(() => undefined),
      undefined,
    );

    const missing = await sb.run("cert", "add", "-t", "ca", "-s", "acme", "missing.pem");
    assertEquals(missing.code, 5);
    const usage = await sb.run("cert", "add", "-t", "ca", "-s", "bad name", "root.pem");
    assertEquals(usage.code, 2);
    const noFiles = await sb.run("cert", "add", "-t", "ca", "-s", "acme");
    assertEquals(noFiles.code, 2);
  });
});

Deno.test("cert delete removes one file or a whole store, only with --yes", async () => {
  await withSandbox(async (sb) => {
    await addTestKey(sb, NAME, false);
    const dir = `${sb.configDir}/truststore/x509/ca/${NAME}`;
    const noYes = await sb.run("cert", "delete", "-t", "ca", "-s", NAME, `${NAME}.crt`);
    assertEquals(noYes.code, 2);
    assert.match(noYes.stderr, /--yes/);
    const both = await sb.run(
      "cert",
      "delete",
      "-t",
      "ca",
      "-s",
      NAME,
      "--all",
      `${NAME}.crt`,
      "-y",
    );
    assertEquals(both.code, 2);
    const one = await sb.run("cert", "delete", "-t", "ca", "-s", NAME, `${NAME}.crt`, "--yes");
    assertEquals([one.code, one.stdout], [0, `Successfully deleted ${dir}/${NAME}.crt\n`]);
    const gone = await sb.run("cert", "delete", "-t", "ca", "-s", NAME, `${NAME}.crt`, "--yes");
    assertEquals(gone.code, 5);
    const all = await sb.run("cert", "delete", "-t", "ca", "-s", NAME, "--all", "--yes");
    assertEquals([all.code, all.stdout], [0, `Successfully deleted ${dir}\n`]);
    assertEquals(await Deno.stat(dir).catch(() => undefined), undefined);
  });
});

Deno.test("cert list warns about files in a store that are not certificates", async () => {
  await withSandbox(async (sb) => {
    await addTestKey(sb, NAME, false);
    const dir = `${sb.configDir}/truststore/x509/ca/${NAME}`;
    await Deno.writeTextFile(`${dir}/notes.txt`, "hello");
    await Deno.symlink(`${dir}/${NAME}.crt`, `${dir}/link.crt`);
    const r = await sb.run("cert", "list", "-o", "json");
    assertEquals(r.code, 0);
    assertEquals(JSON.parse(r.stdout).map((e: { certificate: string }) => e.certificate), [
      `${NAME}.crt`,
    ]);
    // with -o json, warnings are JSON lines too
    const warnings = r.stderr.trimEnd().split("\n").map((l) => JSON.parse(l).warning.message);
    assertEquals(warnings.length, 2);
    assertEquals(warnings[0], `skipping ${dir}/link.crt: not a regular file`);
    assert.match(warnings[1], new RegExp(`^skipping ${dir}/notes\\.txt: `));
    const text = await sb.run("cert", "list");
    assert.match(
      text.stderr,
      new RegExp(`^Warning: skipping ${dir}/link\\.crt: not a regular file$`, "m"),
    );
  });
});
