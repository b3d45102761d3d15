/**
 * ocisign `sign --timestamp-url --timestamp-root-cert` against notation (notation-peer: the
 * official notation-go v1.3.2 library): an RFC 3161 countersignature that ocisign requested from
 * an openssl TSA, in JWS and COSE, is verified by notation with a `tsa` trust store, and refused
 * by notation when that store holds another root. Needs `notation-peer` and `oras`
 * (scripts/peers/install.sh) and `openssl`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, peersRequired, runPeer } from "../_helpers/peers.ts";
import { describeRun, makeInteropSigners, ocisign, withTempDir } from "../_helpers/e2e.ts";
import { makeOrasLayout, startTestTsa, writeNotationConfig } from "./notation_go/fixtures.ts";

const PEER = findPeer("notation-peer");
const ORAS = findPeer("oras");
const OPENSSL = findPeer("openssl");
const MISSING = PEER === undefined || ORAS === undefined || OPENSSL === undefined;
const SCOPE = "local/hello";

Deno.test({
  name: "notation-peer verifies ocisign's RFC 3161 timestamps with a tsa trust store",
  ignore: MISSING && !peersRequired(),
  fn: () =>
    withTempDir("ocisign-notation-tsa-", async (dir) => {
      if (MISSING) throw new Error("notation-peer, oras and openssl are required");
      const cfg = `${dir}/cfg`;
      const signers = await makeInteropSigners(OPENSSL!, dir, cfg, [SCOPE]);
      const tsa = await startTestTsa(OPENSSL!, dir);
      try {
        const policy = (name: string, tsaRoot: string) =>
          writeNotationConfig(`${dir}/${name}`, [{
            name: "tsa",
            registryScopes: [SCOPE],
            signatureVerification: { level: "strict" },
            trustStores: ["ca:rsa", "ca:ec", "tsa:tsa"],
            trustedIdentities: ["*"],
          }], {
            "ca:rsa": [signers.rsa.rootCert],
            "ca:ec": [signers.ec.rootCert],
            "tsa:tsa": [tsaRoot],
          });
        const good = await policy("cfg-tsa", tsa.rootCert);
        const wrong = await policy("cfg-wrong-tsa", signers.rsa.rootCert);
        const peerVerify = (layout: string, configDir: string) =>
          runPeer(PEER!, [
            "verify",
            "--oci-layout",
            `${layout}:v1`,
            "--scope",
            SCOPE,
            "--config-dir",
            configDir,
          ], { cwd: dir, env: { NOTATION_CACHE: `${dir}/notation-cache` } });

        for (const [format, key] of [["jws", "rsa"], ["cose", "ec"]] as const) {
          const { layout } = await makeOrasLayout(ORAS!, dir, `hello-${format}`, "v1");
          const signed = await ocisign(
            { cwd: dir, configDir: cfg },
            "sign",
            "--oci-layout",
            `${layout}:v1`,
            "--key",
            key,
            "--signature-format",
            format,
            "--timestamp-url",
            tsa.url,
            "--timestamp-root-cert",
            tsa.rootCert,
          );
          assertEquals(signed.code, 0, describeRun(signed));

          // notation requires and verifies the countersignature when the policy names a tsa store
          const theirs = await peerVerify(layout, good);
          assertEquals(theirs.code, 0, `${format}: ${describeRun(theirs)}`);
          const ours = await ocisign(
            { cwd: dir, configDir: good },
            "verify",
            "--oci-layout",
            `${layout}:v1`,
            "--scope",
            SCOPE,
          );
          assertEquals(ours.code, 0, `${format}: ${describeRun(ours)}`);

          const refused = await peerVerify(layout, wrong);
          assertEquals(refused.code, 1, `${format}: ${describeRun(refused)}`);
          assert.match(
            refused.stderr,
            /failed to verify the timestamp countersignature/,
            describeRun(refused),
          );
        }
      } finally {
        await tsa.stop();
      }
    }),
});
