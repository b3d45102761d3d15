/**
 * Envelope-generating plugins (`SIGNATURE_GENERATOR.ENVELOPE`): a real plugin process builds the
 * whole envelope; ocisign checks it (type, signature, chain, payload, time, expiry) before it
 * stores it, for `sign` (JWS and COSE, with the plugin's manifest annotations; a layout and a
 * registry) and `blob sign`.
 * ocisign and the notation CLI verify what was stored. A lying plugin (another payload, a bad
 * signature, another media type, junk, an oversized envelope, an expiry not asked for) gets a
 * clear error and nothing is written. Timestamping cannot be added to a generated envelope: with
 * `--timestamp-url` (a real `openssl ts` TSA) sign and blob sign refuse before asking anyone.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { describeRun, pushedSignature, withTempDir } from "../_helpers/e2e.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { distributionAvailable, startDistribution } from "../_helpers/distribution.ts";
import {
  CA_EXTENSIONS,
  OPENSSL_MISSING,
  OpensslPki,
  type OpensslTsaServer,
  startOpensslTsa,
  TSA_EXTENSIONS,
} from "../verify/_openssl_pki.ts";
import { host, snapshot } from "./_host.ts";

const NOTATION = findPeer("notation");
const FAKE_ENVELOPE = new URL("./_fake_envelope_plugin.ts", import.meta.url).pathname;

Deno.test("an envelope plugin signs a layout (JWS, COSE) and a blob; ocisign and notation verify", (t) =>
  withTempDir("ocisign-plugin-envelope-", async (dir) => {
    const h = await host(dir);
    const installed = await h.run(
      "plugin",
      "install",
      "--file",
      await h.script("signer", FAKE_ENVELOPE),
    );
    assertEquals(installed.code, 0, describeRun(installed));
    const sign = (...more: string[]) =>
      h.run(
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--plugin",
        "signer",
        "--id",
        "key-1",
        ...h.config("vault"),
        ...more,
      );
    const jws = await sign("-e", "24h");
    assertEquals(jws.code, 0, describeRun(jws));
    const cose = await sign("--signature-format", "cose");
    assertEquals(cose.code, 0, describeRun(cose));
    const manifest = JSON.parse(
      await Deno.readTextFile(
        `${h.cwd}/hello/blobs/sha256/${pushedSignature(jws).slice("sha256:".length)}`,
      ),
    );
    assertEquals(manifest.annotations["io.example.plugin"], "fake");
    assert.ok(manifest.annotations["io.cncf.notary.x509chain.thumbprint#S256"]);
    assertEquals(
      Object.keys(manifest.annotations),
      Object.keys(manifest.annotations).toSorted(),
      "annotations in Go's map order",
    );

    const verified = await h.run("verify", "--oci-layout", "./hello:v1", "--scope", "local/hello");
    assertEquals(verified.code, 0, describeRun(verified));
    await t.step({
      name: "the notation CLI verifies the plugin's envelopes",
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

    const policy = await h.run(
      "blob",
      "policy",
      "init",
      "--name",
      "releases",
      "--trust-store",
      "ca:vault",
      "--trusted-identity",
      "*",
      "--global",
    );
    assertEquals(policy.code, 0, describeRun(policy));
    const blobSigned = await h.run(
      "blob",
      "sign",
      "--plugin",
      "signer",
      "--id",
      "key-1",
      ...h.config("vault"),
      "hello.txt",
    );
    assertEquals(blobSigned.code, 0, describeRun(blobSigned));
    const blobVerified = await h.run(
      "blob",
      "verify",
      "--signature",
      "hello.txt.jws.sig",
      "hello.txt",
    );
    assertEquals(blobVerified.code, 0, describeRun(blobVerified));
  }));

Deno.test("an envelope plugin that lies gets a clear error, and nothing is written", () =>
  withTempDir("ocisign-plugin-envelope-liar-", async (dir) => {
    const h = await host(dir);
    const script = await h.script("signer", FAKE_ENVELOPE);
    assertEquals((await h.run("plugin", "install", "--file", script)).code, 0);
    const before = await snapshot(`${h.cwd}/hello`);
    const cases: Array<[string, number, RegExp]> = [
      ["other-payload", 3, /signs another payload than the descriptor and annotations asked for/],
      ["bad-signature", 3, /generated is refused: signature is invalid/],
      ["other-type", 3, /is "application\/cose", not the requested application\/jose\+json/],
      ["junk", 3, /generated is refused: .*JWS/],
      ["oversized", 8, /signatureEnvelope is about \d+ bytes, over the envelope limit/],
      ["expiry", 3, /expires at .* although no expiry was asked for/],
    ];
    for (const [lie, code, message] of cases) {
      const r = await h.run(
        "sign",
        "--oci-layout",
        "./hello:v1",
        "--plugin",
        "signer",
        "--id",
        "key-1",
        ...h.config("vault", `lie=${lie}`),
      );
      assertEquals(r.code, code, `${lie}: ${describeRun(r)}`);
      assert.match(r.stderr, message, lie);
      assertEquals(await snapshot(`${h.cwd}/hello`), before, `${lie}: layout untouched`);
    }
  }));

Deno.test({
  name: "an envelope plugin signs an image in a registry; ocisign and notation verify",
  ignore: !distributionAvailable(),
  fn: (t) =>
    withTempDir("ocisign-plugin-envelope-registry-", async (dir) => {
      const h = await host(dir);
      const script = await h.script("signer", FAKE_ENVELOPE);
      assertEquals((await h.run("plugin", "install", "--file", script)).code, 0);
      const registry = await startDistribution();
      try {
        const repo = `localhost:${registry.host.split(":")[1]}/hello`;
        await Deno.writeTextFile(
          `${h.configDir}/trustpolicy.json`,
          JSON.stringify({
            version: "1.0",
            trustPolicies: [{
              name: "registry",
              registryScopes: [repo],
              signatureVerification: { level: "strict" },
              trustStores: ["ca:vault"],
              trustedIdentities: ["*"],
            }],
          }),
        );
        const pushed = await h.run("cp", "./hello:v1", "--from-oci-layout", `${repo}:v1`);
        assertEquals(pushed.code, 0, describeRun(pushed));
        const signed = await h.run(
          "sign",
          `${repo}:v1`,
          "--plugin",
          "signer",
          "--id",
          "key-1",
          ...h.config("vault"),
        );
        assertEquals(signed.code, 0, describeRun(signed));
        const verified = await h.run("verify", `${repo}:v1`);
        assertEquals(verified.code, 0, describeRun(verified));
        await t.step({
          name: "the notation CLI verifies the signature in the registry",
          ignore: NOTATION === undefined,
          fn: async () => {
            const notation = await runPeer(NOTATION!, ["verify", `${repo}:v1`], {
              cwd: h.cwd,
              env: { XDG_CONFIG_HOME: `${dir}/xdg`, HOME: h.cwd },
            });
            assertEquals(notation.code, 0, describeRun(notation));
          },
        });
      } finally {
        await registry.stop();
      }
    }),
});

Deno.test({
  name:
    "an envelope plugin with --timestamp-url is refused: the TSA is never asked, nothing is written",
  ignore: OPENSSL_MISSING,
  fn: () =>
    withTempDir("ocisign-plugin-envelope-tsa-", async (dir) => {
      const h = await host(dir);
      const installed = await h.run(
        "plugin",
        "install",
        "--file",
        await h.script("signer", FAKE_ENVELOPE),
      );
      assertEquals(installed.code, 0, describeRun(installed));
      const pki = await OpensslPki.create();
      let tsa: OpensslTsaServer | undefined;
      try {
        const root = await pki.cert({ subject: "/O=TSA/CN=TSA Root", extensions: CA_EXTENSIONS });
        const leaf = await pki.cert({
          subject: "/O=TSA/CN=TSA",
          extensions: TSA_EXTENSIONS,
          issuer: root,
        });
        tsa = await startOpensslTsa(pki, { tsa: leaf, chain: [root] });
        const stamp = [
          "--timestamp-url",
          tsa.url,
          "--timestamp-root-cert",
          `${pki.dir}/${root.certFile}`,
        ];
        const plugin = ["--plugin", "signer", "--id", "key-1", ...h.config("vault")];
        const before = await snapshot(`${h.cwd}/hello`);
        const runs = [
          ["sign", "--oci-layout", "./hello:v1", ...plugin, ...stamp],
          ["sign", "--oci-layout", "./hello:v1", "--signature-format", "cose", ...plugin, ...stamp],
          ["blob", "sign", ...plugin, ...stamp, "hello.txt"],
        ];
        for (const argv of runs) {
          const r = await h.run(...argv);
          assertEquals(r.code, 2, `${argv.join(" ")}: ${describeRun(r)}`);
          assert.match(
            r.stderr,
            /plugin "signer" builds the whole envelope: timestamping cannot be added; sign without them/,
          );
        }
        assertEquals(tsa.requests, 0, "the TSA is never asked");
        assertEquals(await snapshot(`${h.cwd}/hello`), before, "the layout is untouched");
        assertEquals(
          await Deno.stat(`${h.cwd}/hello.txt.jws.sig`).catch(() => undefined),
          undefined,
        );
      } finally {
        await tsa?.stop();
        await pki.close();
      }
    }),
});
