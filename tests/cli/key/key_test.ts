import { assert, assertEquals } from "../../_helpers/assert.ts";
import { cliSandbox } from "../../_helpers/cli.ts";
import type { CliSandbox } from "../../_helpers/cli.ts";
import { findPeer, runPeer } from "../../_helpers/peers.ts";
import { addTestKey } from "../../_helpers/test_key.ts";

const NAME = "wabbit-networks.io";
const openssl = findPeer("openssl");

async function withSandbox(fn: (sb: CliSandbox) => Promise<void>): Promise<void> {
  const sb = await cliSandbox();
  try {
    await fn(sb);
  } finally {
    await sb.close();
  }
}

/** A self-signed EC P-256 code-signing certificate and its key, made by openssl in `dir`. */
async function opensslKeyPair(dir: string, name: string): Promise<void> {
  const r = await runPeer(openssl!, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-keyout",
    `${name}.key`,
    "-out",
    `${name}.crt`,
    "-days",
    "1",
    "-subj",
    `/C=US/ST=WA/O=Acme/CN=${name}`,
    "-addext",
    "basicConstraints=critical,CA:FALSE",
    "-addext",
    "keyUsage=critical,digitalSignature",
    "-addext",
    "extendedKeyUsage=codeSigning",
  ], { cwd: dir });
  assertEquals(r.code, 0, r.stderr);
}

Deno.test("key list shows the key generate-test made, as a table and as json", async () => {
  await withSandbox(async (sb) => {
    const empty = await sb.run("key", "list");
    assertEquals(empty.code, 0);
    assertEquals(empty.stdout, "NAME   KEY PATH   CERTIFICATE PATH   ID   PLUGIN NAME   \n");
    assertEquals((await sb.run("cert", "generate-test", NAME, "--default")).code, 0);
    const key = `${sb.configDir}/localkeys/${NAME}.key`;
    const crt = `${sb.configDir}/localkeys/${NAME}.crt`;
    const r = await sb.run("key", "ls");
    assertEquals(r.code, 0);
    const col = (cell: string, width: number): string => cell.padEnd(width + 3);
    const w = [`* ${NAME}`.length, key.length, crt.length, 2, "PLUGIN NAME".length];
    assertEquals(
      r.stdout,
      col("NAME", w[0]!) + col("KEY PATH", w[1]!) + col("CERTIFICATE PATH", w[2]!) + col("ID", 2) +
        col("PLUGIN NAME", w[4]!) + "\n" +
        col(`* ${NAME}`, w[0]!) + col(key, w[1]!) + col(crt, w[2]!) + col("", 2) + col("", w[4]!) +
        "\n",
    );
    assert.ok(!r.stdout.includes("PRIVATE KEY"));
    const json = await sb.run("key", "list", "--output", "json");
    assertEquals(JSON.parse(json.stdout), {
      default: NAME,
      keys: [{ name: NAME, keyPath: key, certPath: crt, default: true }],
    });
  });
});

Deno.test({
  name: "key add registers an openssl key pair and refuses a key of another certificate",
  ignore: openssl === undefined,
  fn: async () => {
    await withSandbox(async (sb) => {
      await opensslKeyPair(sb.cwd, "acme");
      await opensslKeyPair(sb.cwd, "other");
      const r = await sb.run("key", "add", "acme", "--key", "acme.key", "--cert", "./acme.crt");
      assertEquals([r.code, r.stdout, r.stderr], [0, "acme\n", ""]);
      const keys = JSON.parse(await Deno.readTextFile(`${sb.configDir}/signingkeys.json`));
      assertEquals(keys, {
        keys: [{ name: "acme", keyPath: `${sb.cwd}/acme.key`, certPath: `${sb.cwd}/acme.crt` }],
      });
      const dup = await sb.run("key", "add", "acme", "--key", "acme.key", "--cert", "acme.crt");
      assertEquals(dup.code, 2);
      assert.match(dup.stderr, /already exists/);
      const mismatch = await sb.run("key", "add", "m", "--key", "other.key", "--cert", "acme.crt");
      assertEquals(mismatch.code, 8);
      assert.match(mismatch.stderr, /does not match/);
      const notKey = await sb.run("key", "add", "n", "--key", "acme.crt", "--cert", "acme.crt");
      assertEquals(notKey.code, 8);
      const def = await sb.run(
        "key",
        "add",
        "o",
        "--key",
        "other.key",
        "--cert",
        "other.crt",
        "--default",
      );
      assertEquals([def.code, def.stdout], [0, "o: marked as default\n"]);
      const missing = await sb.run("key", "add", "p", "--key", "acme.key");
      assertEquals(missing.code, 2);
    });
  },
});

Deno.test("key update --default and key delete print notation's messages", async () => {
  await withSandbox(async (sb) => {
    for (const n of ["a", "b", "c"]) await addTestKey(sb, n, false);
    const noop = await sb.run("key", "update", "a");
    assertEquals(noop.code, 0);
    assert.match(noop.stderr, /^Warning: /);
    const upd = await sb.run("key", "update", "b", "--default");
    assertEquals([upd.code, upd.stdout], [0, "b: marked as default\n"]);
    assertEquals(
      JSON.parse(await Deno.readTextFile(`${sb.configDir}/signingkeys.json`)).default,
      "b",
    );
    const unknown = await sb.run("key", "update", "zzz", "--default");
    assertEquals(unknown.code, 5);
    const one = await sb.run("key", "delete", "a");
    assertEquals(
      [one.code, one.stdout],
      [0, "Removed a from ocisign signing key list. The source key still exists.\n"],
    );
    const missing = await sb.run("key", "delete", "c", "zzz");
    assertEquals(missing.code, 5);
    const two = await sb.run("key", "delete", "b", "c");
    assertEquals(two.code, 0);
    assertEquals(
      two.stdout,
      "Removed the following keys from ocisign signing key list. The source keys still exist.\nb (default)\nc\n",
    );
    assertEquals(JSON.parse(await Deno.readTextFile(`${sb.configDir}/signingkeys.json`)), {
      keys: [],
    });
    assert.ok((await Deno.stat(`${sb.configDir}/localkeys/a.key`)).isFile, "key files are kept");
    const none = await sb.run("key", "delete");
    assertEquals(none.code, 2);
  });
});

Deno.test("key list reports a malformed signingkeys.json with exit code 4", async () => {
  await withSandbox(async (sb) => {
    await Deno.mkdir(sb.configDir);
    await Deno.writeTextFile(
      `${sb.configDir}/signingkeys.json`,
      JSON.stringify({ default: "x", keys: [{ name: "a" }] }),
    );
    const r = await sb.run("key", "list");
    assertEquals(r.code, 4);
    assertEquals(r.stderr, "Error: malformed signingkeys.json: default key 'x' not found\n");
    await Deno.writeTextFile(`${sb.configDir}/signingkeys.json`, "{nope");
    const bad = await sb.run("key", "list", "-o", "json");
    assertEquals(bad.code, 4);
    assertEquals(JSON.parse(bad.stderr).error.code, "ERR_CONFIG");
  });
});
