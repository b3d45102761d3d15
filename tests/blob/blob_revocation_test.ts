/**
 * `ocisign blob verify` checks revocation exactly as image verification does (OCSP, then CRLs,
 * with the policy's action), against a real openssl OCSP responder and CRL; notation 2 agrees.
 */
import { assert } from "../_helpers/assert.ts";
import { cliSandbox } from "../_helpers/cli.ts";
import { findPeer } from "../_helpers/peers.ts";
import { ok } from "../cli/commands/_fixture.ts";
import { makeRevocationPki } from "../x509/revocation/_revocation_pki.ts";
import { NOTATION, notationIn } from "./_notation_fixture.ts";

Deno.test({
  name: "blob verify fails once the signing certificate is revoked (OCSP), as notation 2 does",
  ignore: findPeer("openssl") === undefined,
  fn: async (t) => {
    const p = await makeRevocationPki();
    const sb = await cliSandbox();
    try {
      const configDir = `${sb.dir}/xdg/notation`;
      const env = { OCISIGN_CONFIG_DIR: configDir, XDG_CACHE_HOME: `${sb.dir}/cache` };
      const ocisign = (...argv: string[]) => sb.runWith({ env }, ...argv);
      const notation = notationIn(sb, sb.cwd);
      await Deno.writeTextFile(`${sb.cwd}/chain.pem`, p.leaf.pem + p.int.pem + p.root.pem);
      ok(
        await ocisign(
          "key",
          "add",
          "signer",
          "--key",
          `${p.pki.dir}/${p.leaf.keyFile}`,
          "--cert",
          "chain.pem",
          "--default",
        ),
      );
      ok(
        await ocisign(
          "cert",
          "add",
          "--type",
          "ca",
          "--store",
          "wabbit",
          `${p.pki.dir}/${p.root.certFile}`,
        ),
      );
      ok(
        await ocisign(
          "blob",
          "policy",
          "init",
          "--name",
          "r",
          "--trust-store",
          "ca:wabbit",
          "--trusted-identity",
          "*",
          "--global",
        ),
      );
      await Deno.writeTextFile(`${sb.cwd}/app.bin`, "release");
      ok(await ocisign("blob", "sign", "app.bin"));
      const verify = ["blob", "verify", "--signature", "app.bin.jws.sig", "app.bin"];
      const before = p.ocspRequests.int;
      ok(await ocisign(...verify));
      assert.ok(p.ocspRequests.int > before, "the intermediate's OCSP responder was not asked");
      await t.step({
        name: "notation 2 accepts it while the certificate is good",
        ignore: NOTATION === undefined,
        fn: async () => {
          const r = await notation(...verify);
          assert.equal(r.code, 0, r.stderr);
        },
      });
      await p.revoke("int", p.leaf);
      const revoked = await ocisign(...verify);
      assert.equal(revoked.code, 3, revoked.stderr);
      assert.match(revoked.stderr, /revoked/);
      await t.step({
        name: "notation 2 refuses it once revoked",
        ignore: NOTATION === undefined,
        fn: async () => {
          const r = await notation(...verify);
          assert.notEqual(r.code, 0);
          assert.match(r.stderr, /revoked/);
        },
      });
    } finally {
      await sb.close();
      await p.close();
    }
  },
});
