/**
 * Revocation interop: notation-peer (notation-go v1.3.2 with its default OCSP/CRL validators)
 * signs an OCI layout with a chain whose leaf and intermediate name OCSP responders and CRL
 * distribution points on a loopback server (openssl answers OCSP, `openssl ca -gencrl` makes the
 * CRLs); both notation-peer and ocisign verify it while the chain is good, and both reject it
 * with the same message once the leaf is revoked, via OCSP and via CRL. Needs `notation-peer` and
 * `oras` (scripts/peers/install.sh) and `openssl`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { describeRun, ocisign, withTempDir } from "../_helpers/e2e.ts";
import { makeOrasLayout, strictPolicy, writeNotationConfig } from "./notation_go/fixtures.ts";
import { makeRevocationPki } from "../verify/revocation/_revocation_pki.ts";

const PEER = findPeer("notation-peer");
const ORAS = findPeer("oras");
const OPENSSL = findPeer("openssl");
const MISSING = PEER === undefined || ORAS === undefined || OPENSSL === undefined;
const SCOPE = "local/hello";

Deno.test({
  name: "notation-peer and ocisign agree on OCSP and CRL revocation of the signing chain",
  ignore: MISSING,
  fn: () =>
    withTempDir("ocisign-revocation-interop-", async (dir) => {
      const p = await makeRevocationPki();
      try {
        const peer = (args: string[]) =>
          runPeer(PEER!, args, { cwd: dir, env: { NOTATION_CACHE: `${dir}/notation-cache` } });
        const { layout, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
        const files = async (name: string, leaf: typeof p.leaf) => {
          await Deno.writeTextFile(`${dir}/${name}.key`, leaf.keyPem, { mode: 0o600 });
          await Deno.writeTextFile(`${dir}/${name}.chain.pem`, leaf.pem + p.int.pem + p.root.pem);
        };
        await Deno.writeTextFile(`${dir}/root.crt`, p.root.pem);
        const cfg = await writeNotationConfig(`${dir}/cfg`, [strictPolicy(SCOPE, "wabbit")], {
          "ca:wabbit": [`${dir}/root.crt`],
        });
        const verifyBoth = async () => {
          const theirs = await peer([
            "verify",
            "--oci-layout",
            `${layout}@${digest}`,
            "--scope",
            SCOPE,
            "--config-dir",
            cfg,
          ]);
          const ours = await ocisign(
            { cwd: dir, configDir: cfg },
            "verify",
            "--oci-layout",
            `${layout}@${digest}`,
            "--scope",
            SCOPE,
          );
          return { theirs, ours };
        };

        // an OCSP + CRL leaf, signed by notation
        await files("leaf", p.leaf);
        const signed = await peer([
          "sign",
          "--oci-layout",
          `${layout}@${digest}`,
          "--key",
          `${dir}/leaf.key`,
          "--cert",
          `${dir}/leaf.chain.pem`,
        ]);
        assertEquals(signed.code, 0, describeRun(signed));

        const good = await verifyBoth();
        assertEquals(good.theirs.code, 0, describeRun(good.theirs));
        assertEquals(good.ours.code, 0, describeRun(good.ours));
        assert(p.ocspRequests.int >= 2, "both verifiers asked the OCSP responder");

        await p.revoke("int", p.leaf, "keyCompromise");
        const message =
          `signing certificate with subject "CN=Revocable Signer,O=wabbit-networks.io,ST=WA,C=US" is revoked`;
        const revoked = await verifyBoth();
        assertEquals(revoked.theirs.code, 1, describeRun(revoked.theirs));
        assert(revoked.theirs.stderr.includes(message), describeRun(revoked.theirs));
        assertEquals(revoked.ours.code, 3, describeRun(revoked.ours));
        assert(revoked.ours.stderr.includes(message), describeRun(revoked.ours));

        // the OCSP responder fails: both fall back to the CRL, which lists the leaf
        p.ocspMode.int = "status500";
        await p.publishCrl("int");
        const viaCrl = await verifyBoth();
        assertEquals(viaCrl.theirs.code, 1, describeRun(viaCrl.theirs));
        assert(viaCrl.theirs.stderr.includes(message), describeRun(viaCrl.theirs));
        assertEquals(viaCrl.ours.code, 3, describeRun(viaCrl.ours));
        assert(viaCrl.ours.stderr.includes(message), describeRun(viaCrl.ours));
      } finally {
        await p.close();
      }
    }),
});
