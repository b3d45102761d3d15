/**
 * ocisign as the host of notation plugins: a real plugin process (a script answering contract
 * 1.0 with RAW signatures from a key file, as a KMS plugin does) installed with `ocisign plugin
 * install`, used by `sign --plugin --id` and by a key added with `key add --plugin --id`;
 * ocisign and the notation CLI verify what it signed. A plugin that lies (wrong key id, bad
 * signature, another chain, junk, a failure, a hang, too much output, a wrong algorithm, no signing
 * capability) gets a clear error and nothing is written.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { runCli } from "../_helpers/cli.ts";
import { describeRun, pushedSignature, withTempDir } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { makeServerCertificate } from "../_helpers/tls.ts";
import { host, snapshot } from "./_host.ts";

const NOTATION = findPeer("notation");
Deno.test("plugin install, list, key add --plugin, sign --plugin; ocisign and notation verify", (t) =>
  withTempDir("ocisign-plugin-host-", async (dir) => {
    const h = await host(dir);
    const installed = await h.run("plugin", "install", "--file", await h.script("vault"));
    assertEquals(installed.code, 0, describeRun(installed));
    assertEquals(installed.stdout, "Successfully installed plugin vault, version 1.0.0\n");
    const listed = await h.run("plugin", "list");
    assert.match(
      listed.stdout,
      /^vault +test plugin +1\.0\.0 +\[SIGNATURE_GENERATOR\.RAW\] +<nil>/m,
    );

    const signed = await h.run(
      "sign",
      "--oci-layout",
      "./hello:v1",
      "--plugin",
      "vault",
      "--id",
      "key-1",
      ...h.config("vault", `log=${dir}/ocisign.log`),
    );
    assertEquals(signed.code, 0, describeRun(signed));
    // one signature, the chain learnt from its answer: the calls notation makes
    const calls = ["get-plugin-metadata", "describe-key", "generate-signature"];
    assertEquals((await Deno.readTextFile(`${dir}/ocisign.log`)).trim().split("\n"), calls);
    await t.step({
      name: "the notation CLI signs with the same plugin, making the same calls",
      ignore: NOTATION === undefined,
      fn: async () => {
        const notationSigned = await runPeer(NOTATION!, [
          "sign",
          "--oci-layout",
          "./hello:v1",
          "--plugin",
          "vault",
          "--id",
          "key-1",
          ...h.config("vault", `log=${dir}/notation.log`),
        ], {
          cwd: h.cwd,
          env: { XDG_CONFIG_HOME: `${dir}/xdg`, NOTATION_EXPERIMENTAL: "1", HOME: h.cwd },
        });
        assertEquals(notationSigned.code, 0, describeRun(notationSigned));
        assertEquals((await Deno.readTextFile(`${dir}/notation.log`)).trim().split("\n"), calls);
      },
    });

    const added = await h.run(
      "key",
      "add",
      "kv",
      "--plugin",
      "vault",
      "--id",
      "key-1",
      ...h.config("vault"),
    );
    assertEquals(added.code, 0, describeRun(added));
    const stored = JSON.parse(await Deno.readTextFile(`${h.configDir}/signingkeys.json`)).keys[2];
    assertEquals(stored.pluginName, "vault");
    assertEquals(stored.id, "key-1");
    assertEquals(stored.pluginConfig.key, `${h.configDir}/localkeys/vault.key`);
    const signedCose = await h.run(
      "sign",
      "--oci-layout",
      "./hello:v1",
      "--key",
      "kv",
      "--signature-format",
      "cose",
    );
    assertEquals(signedCose.code, 0, describeRun(signedCose));
    assert.ok(pushedSignature(signedCose) !== pushedSignature(signed));

    const verified = await h.run("verify", "--oci-layout", "./hello:v1", "--scope", "local/hello");
    assertEquals(verified.code, 0, describeRun(verified));
    await t.step({
      name: "the notation CLI verifies what the plugin signed",
      ignore: NOTATION === undefined,
      fn: async () => {
        const notation = await runPeer(NOTATION!, [
          "verify",
          "--oci-layout",
          "./hello:v1",
          "--scope",
          "local/hello",
        ], {
          cwd: h.cwd,
          env: { XDG_CONFIG_HOME: `${dir}/xdg`, NOTATION_EXPERIMENTAL: "1", HOME: h.cwd },
        });
        assertEquals(notation.code, 0, describeRun(notation));
      },
    });

    const removed = await h.run("plugin", "uninstall", "vault");
    assertEquals([removed.code, removed.stdout], [0, "Successfully uninstalled plugin vault\n"]);
    const gone = await h.run("sign", "--oci-layout", "./hello:v1", "--key", "kv");
    assertEquals(gone.code, 5, describeRun(gone));
    assert.match(gone.stderr, /plugin "vault" not found/);
  }));

Deno.test("a plugin that lies or fails gets a clear error, and nothing is written", () =>
  withTempDir("ocisign-plugin-liar-", async (dir) => {
    const h = await host(dir);
    assertEquals((await h.run("plugin", "install", "--file", await h.script("vault"))).code, 0);
    const before = await snapshot(`${h.cwd}/hello`);
    const cases: Array<[string, number, RegExp]> = [
      ["wrong-key-id", 8, /describe-key response: keyId "someone-else" is not the requested key/],
      ["bad-signature", 8, /the signature plugin "vault" returned does not verify/],
      ["other-chain", 8, /does not verify with its certificate "CN=mallory/],
      ["junk", 8, /generate-signature wrote something that is not JSON/],
      ["exit", 6, /plugin "vault" get-plugin-metadata failed: ACCESS_DENIED: the vault refused/],
      ["hang", 7, /plugin .*describe-key did not answer within 1.5 s/],
      ["huge", 8, /the stdout of plugin .* is \d+ bytes, over the limit of 67108864 bytes/],
      ["wrong-algorithm", 8, /signingAlgorithm RSASSA-PSS-SHA-512 does not fit key spec RSA-2048/],
      ["verifier-only", 2, /does not generate signatures \(SIGNATURE_GENERATOR\.RAW or/],
    ];
    for (const [lie, code, message] of cases) {
      // Only the hanging plugin gets a short timeout: a loaded machine may start others slowly
      // (its get-plugin-metadata must still answer within it: it starts in about 40 ms).
      const r = await h.runEnv(
        lie === "hang" ? { OCISIGN_PLUGIN_TIMEOUT: "1.5" } : {},
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--plugin",
        "vault",
        "--id",
        "key-1",
        ...h.config("vault", `lie=${lie}`),
      );
      assertEquals(r.code, code, `${lie}: ${describeRun(r)}`);
      assert.match(r.stderr, message, lie);
      assertEquals(await snapshot(`${h.cwd}/hello`), before, `${lie}: layout untouched`);
    }

    const misnamed = await h.script("other");
    const renamed = `${dir}/bin/notation-renamed`;
    await Deno.rename(misnamed, renamed);
    const install = await h.run("plugin", "install", "--file", renamed);
    assertEquals(install.code, 8, describeRun(install));
    assert.match(install.stderr, /plugin executable file name must be "notation-other"/);
    assertEquals((await h.run("plugin", "list", "-o", "json")).stdout.includes("renamed"), false);
    const bad = await h.run(
      "plugin",
      "install",
      "--file",
      await h.script("x"),
      "--sha256sum",
      "00",
    );
    assertEquals(bad.code, 8, describeRun(bad));
  }));

const OPENSSL = findPeer("openssl");

Deno.test({
  name:
    "plugin install --url downloads over https (an executable or a tar.gz) and checks --sha256sum",
  ignore: OPENSSL === undefined,
  fn: () =>
    withTempDir("ocisign-plugin-url-", async (dir) => {
      const h = await host(dir);
      const script = await Deno.readFile(await h.script("vault"));
      // the same executable in a tar.gz, as plugin releases ship
      const tarred = await new Deno.Command("tar", {
        args: ["czf", "-", "notation-vault"],
        cwd: `${dir}/bin`,
        stdout: "piped",
      }).output();
      assertEquals(tarred.code, 0);
      const archive = tarred.stdout;
      const tls = await makeServerCertificate(OPENSSL!, dir);
      const server = Deno.serve({
        hostname: "127.0.0.1",
        port: 0,
        cert: await Deno.readTextFile(tls.certPath),
        key: await Deno.readTextFile(tls.keyPath),
        onListen: () => {},
      }, (req) => {
        const path = new URL(req.url).pathname;
        return path === "/dl/notation-vault"
          ? new Response(script)
          : path === "/dl/vault.tar.gz"
          ? new Response(archive)
          : new Response("no", { status: 404 });
      });
      try {
        const client = Deno.createHttpClient({ caCerts: [await Deno.readTextFile(tls.caPath)] });
        const fetchTrusting = ((input, init) => fetch(input, { ...init, client })) as typeof fetch;
        const base = `https://localhost:${server.addr.port}/dl`;
        const install = (...argv: string[]) =>
          runCli(["plugin", "install", ...argv], {
            cwd: h.cwd,
            home: h.cwd,
            env: { OCISIGN_CONFIG_DIR: h.configDir },
            fetch: fetchTrusting,
          });
        const sum = Array.from(
          new Uint8Array(await crypto.subtle.digest("SHA-256", script)),
          (b) => b.toString(16).padStart(2, "0"),
        ).join("");

        const noSum = await install("--url", `${base}/notation-vault`);
        assertEquals(noSum.code, 2, describeRun(noSum));
        const plain = await install("--url", `http://localhost/notation-vault`, "--sha256sum", sum);
        assertEquals(plain.code, 2, describeRun(plain));
        const missing = await install("--url", `${base}/notation-gone`, "--sha256sum", sum);
        assertEquals(missing.code, 7, describeRun(missing));
        const wrong = await install(
          "--url",
          `${base}/notation-vault`,
          "--sha256sum",
          "ab".repeat(32),
        );
        assertEquals(wrong.code, 8, describeRun(wrong));
        assert.match(wrong.stderr, /Content digest mismatch/);
        assertEquals((await h.run("plugin", "list")).stdout.includes("vault"), false);

        const ok = await install("--url", `${base}/notation-vault`, "--sha256sum", sum);
        assertEquals(ok.code, 0, describeRun(ok));
        assert.match((await h.run("plugin", "list")).stdout, /^vault +test plugin/m);

        const archiveSum = Array.from(
          new Uint8Array(await crypto.subtle.digest("SHA-256", archive)),
          (b) => b.toString(16).padStart(2, "0"),
        ).join("");
        const wrongArchive = await install("--url", `${base}/vault.tar.gz`, "--sha256sum", sum);
        assertEquals(wrongArchive.code, 8, "the sum is the archive's, not the executable's");
        const fromArchive = await install(
          "--url",
          `${base}/vault.tar.gz`,
          "--sha256sum",
          archiveSum,
          "--force",
        );
        assertEquals(fromArchive.code, 0, describeRun(fromArchive));
        client.close();
      } finally {
        await server.shutdown();
      }
    }),
});
