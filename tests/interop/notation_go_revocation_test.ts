/**
 * Revocation interop: notation-peer (notation-go v1.3.2 with its default OCSP/CRL validators)
 * signs an OCI layout with a chain whose leaf and intermediate name OCSP responders and CRL
 * distribution points on a loopback server (openssl answers OCSP, `openssl ca -gencrl` makes the
 * CRLs); both notation-peer and ocisign verify it while the chain is good, and both reject it
 * with the same message once the leaf is revoked, via OCSP and via CRL. At signing, both check
 * the TSA chain of an RFC 3161 timestamp (`openssl ts -reply`) and refuse a revoked TSA
 * certificate with the same message, and each reads the other's CRL cache file. Needs
 * `notation-peer` and `oras` (scripts/peers/install.sh) and `openssl`.
 */
import { assert, assertEquals } from "../_helpers/assert.ts";
import { findPeer, runPeer } from "../_helpers/peers.ts";
import { describeRun, ocisign, withTempDir } from "../_helpers/e2e.ts";
import { makeOrasLayout, strictPolicy, writeNotationConfig } from "./notation_go/fixtures.ts";
import { makeRevocationPki } from "../x509/revocation/_revocation_pki.ts";
import {
  CA_EXTENSIONS,
  LEAF_EXTENSIONS,
  startOpensslTsa,
  TSA_EXTENSIONS,
} from "../verify/_openssl_pki.ts";
import type { OpensslTsaServer } from "../verify/_openssl_pki.ts";

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

async function crlCacheName(url: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(url));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name:
    "notation-peer and ocisign agree on the TSA chain's revocation at signing and share CRL caches",
  ignore: MISSING,
  fn: () =>
    withTempDir("ocisign-tsa-revocation-interop-", async (dir) => {
      const p = await makeRevocationPki();
      const servers: OpensslTsaServer[] = [];
      try {
        const notationCache = `${dir}/notation-cache`;
        const peer = (args: string[]) =>
          runPeer(PEER!, args, { cwd: dir, env: { NOTATION_CACHE: notationCache } });
        const { layout, digest } = await makeOrasLayout(ORAS!, dir, "hello", "v1");
        // a non-revokable signing chain, valid since an hour ago
        const signingRoot = await p.pki.cert({
          subject: "/O=wabbit/CN=Signing Root",
          extensions: CA_EXTENSIONS,
        });
        const signer = await p.pki.cert({
          subject: "/O=wabbit/CN=signer",
          extensions: LEAF_EXTENSIONS,
          issuer: signingRoot,
        });
        await Deno.writeTextFile(`${dir}/signer.key`, signer.keyPem, { mode: 0o600 });
        await Deno.writeTextFile(`${dir}/signer.chain.pem`, signer.pem + signingRoot.pem);
        await Deno.writeTextFile(`${dir}/tsa-root.crt`, p.root.pem);
        const where = { cwd: dir, configDir: `${dir}/ocisign-config` };
        const added = await ocisign(
          where,
          "key",
          "add",
          "signer",
          "--key",
          `${dir}/signer.key`,
          "--cert",
          `${dir}/signer.chain.pem`,
        );
        assertEquals(added.code, 0, describeRun(added));
        const tsaServer = async (cn: string, endpoints: { ocsp?: boolean; crl?: boolean }) => {
          const tsa = await p.issueLeaf(`/C=US/O=wabbit-networks.io/CN=${cn}`, endpoints, [
            ...TSA_EXTENSIONS,
          ]);
          const server = await startOpensslTsa(p.pki, { tsa, chain: [p.int, p.root] });
          servers.push(server);
          return { tsa, server };
        };
        const tsaFlags = (server: OpensslTsaServer) => [
          "--timestamp-url",
          server.url,
          "--timestamp-root-cert",
          `${dir}/tsa-root.crt`,
        ];
        const peerSign = (server: OpensslTsaServer) =>
          peer([
            "sign",
            "--oci-layout",
            `${layout}@${digest}`,
            "--key",
            `${dir}/signer.key`,
            "--cert",
            `${dir}/signer.chain.pem`,
            ...tsaFlags(server),
          ]);
        const ourSign = (server: OpensslTsaServer) =>
          ocisign(
            where,
            "sign",
            "--oci-layout",
            `${layout}@${digest}`,
            "--key",
            "signer",
            ...tsaFlags(server),
          );
        const signBoth = async (server: OpensslTsaServer) => ({
          theirs: await peerSign(server),
          ours: await ourSign(server),
        });

        // CRL cache files: notation's and ocisign's have the same name and format
        const crlOnly = await tsaServer("CRL TSA", { crl: true });
        const name = await crlCacheName(`${p.base}/crl/int.crl`);
        const theirFile = `${notationCache}/crl/${name}`;
        const ourFile = `${dir}/.cache/ocisign/crl/${name}`;
        let downloads = p.crlRequests.int;
        const peerSigned = await peerSign(crlOnly.server);
        assertEquals(peerSigned.code, 0, describeRun(peerSigned));
        assertEquals(p.crlRequests.int, downloads + 1);
        // ocisign, given notation's entry, does not download the CRL
        await Deno.mkdir(`${dir}/.cache/ocisign/crl`, { recursive: true });
        await Deno.copyFile(theirFile, ourFile);
        downloads = p.crlRequests.int;
        const fromTheirs = await ourSign(crlOnly.server);
        assertEquals(fromTheirs.code, 0, describeRun(fromTheirs));
        assertEquals(p.crlRequests.int, downloads, "ocisign used notation's cache file");
        // notation, given ocisign's entry, does not download it either
        await Deno.remove(ourFile);
        await Deno.remove(theirFile);
        const ours = await ourSign(crlOnly.server);
        assertEquals(ours.code, 0, describeRun(ours));
        assertEquals(p.crlRequests.int, downloads + 1);
        await Deno.copyFile(ourFile, theirFile);
        const fromOurs = await peerSign(crlOnly.server);
        assertEquals(fromOurs.code, 0, describeRun(fromOurs));
        assertEquals(p.crlRequests.int, downloads + 1, "notation used ocisign's cache file");

        // an OCSP TSA: both sign while it is good, both refuse it once it is revoked
        const { tsa, server } = await tsaServer("Revocable TSA", { ocsp: true });
        const good = await signBoth(server);
        assertEquals(good.theirs.code, 0, describeRun(good.theirs));
        assertEquals(good.ours.code, 0, describeRun(good.ours));
        await p.revoke("int", tsa, "keyCompromise");
        const message =
          `timestamp: timestamping certificate with subject "CN=Revocable TSA,O=wabbit-networks.io,C=US" is revoked`;
        const revoked = await signBoth(server);
        assertEquals(revoked.theirs.code, 1, describeRun(revoked.theirs));
        assert(revoked.theirs.stderr.includes(message), describeRun(revoked.theirs));
        assertEquals(revoked.ours.code, 7, describeRun(revoked.ours));
        assert(revoked.ours.stderr.includes(message), describeRun(revoked.ours));
      } finally {
        for (const s of servers) await s.stop();
        await p.close();
      }
    }),
});
