/**
 * An offline verifying station: `verify` names the OCSP and CRL URLs it could not reach, why, and
 * the trust policy override that skips revocation, which `policy init --revocation skip` (and
 * `blob policy init --revocation skip` for blobs) writes; or, as the README's air gap says, the CRL
 * cache a connected `verify` filled is carried to the station, which then verifies offline.
 */
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { findPeer } from "../../_helpers/peers.ts";
import { parseTrustPolicyDocument } from "../../../lib/trust/trust_policy.ts";
import { copyDir } from "../../_helpers/e2e.ts";
import { ok, signingSandbox } from "../commands/_fixture.ts";
import { LEAF_EXTENSIONS } from "../../verify/_openssl_pki.ts";
import { makeRevocationPki } from "../../x509/revocation/_revocation_pki.ts";

type Pki = Awaited<ReturnType<typeof makeRevocationPki>>;
type Sandbox = Awaited<ReturnType<typeof signingSandbox>>;

/**
 * Adds key `name`: a leaf whose CRL is the PKI's and whose OCSP URL is a port nobody listens on,
 * and its root as the CA store `wabbit`.
 * @returns that port.
 */
async function addSigner(
  p: Pki,
  sb: Sandbox,
  run: (...argv: string[]) => ReturnType<Sandbox["runWith"]>,
  name: string,
): Promise<number> {
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = closed.addr.port;
  closed.close();
  const leaf = await p.issueLeaf(
    `/C=US/ST=WA/O=wabbit-networks.io/CN=${name[0]!.toUpperCase()}${name.slice(1)} Signer`,
    { crl: true },
    [...LEAF_EXTENSIONS, `authorityInfoAccess=OCSP;URI:http://127.0.0.1:${port}/ocsp`],
  );
  await Deno.writeTextFile(`${sb.cwd}/chain.pem`, leaf.pem + p.int.pem + p.root.pem);
  await Deno.writeTextFile(`${sb.cwd}/leaf.key`, leaf.keyPem, { mode: 0o600 });
  ok(await run("key", "add", name, "--key", "leaf.key", "--cert", "chain.pem"));
  ok(
    await run(
      "cert",
      "add",
      "--type",
      "ca",
      "--store",
      "wabbit",
      `${p.pki.dir}/${p.root.certFile}`,
    ),
  );
  return port;
}

Deno.test({
  name: "verify names unreachable revocation URLs; policy init --revocation skip lets it pass",
  ignore: findPeer("openssl") === undefined,
  fn: async () => {
    const p = await makeRevocationPki();
    const sb = await signingSandbox();
    try {
      const env = { XDG_CACHE_HOME: `${sb.dir}/cache` };
      const run = (...argv: string[]) => sb.runWith({ env }, ...argv);
      // the OCSP responder refuses; the CRL answers HTTP 500
      const port = await addSigner(p, sb, run, "offline");
      p.crlMode.int = "status500";
      const init = [
        "policy",
        "init",
        "--name",
        "offline",
        "--scope",
        "local/hello-world",
        "--trust-store",
        "ca:wabbit",
        "--trusted-identity",
        "*",
        "--force",
      ];
      ok(await run(...init));
      ok(await run("sign", "--key", "offline", "--oci-layout", "./img:v1"));
      const verify = ["verify", "--oci-layout", "./img:v1", "--scope", "local/hello-world"];

      // -v: each revocation request with its outcome and time
      const failed = await run(...verify, "-v");
      assertEquals(failed.code, 3, failed.stderr);
      for (
        const part of [
          'signing certificate with subject "CN=Offline Signer,O=wabbit-networks.io,ST=WA,C=US" revocation status is unknown',
          `OCSP http://127.0.0.1:${port}/ocsp: connection refused`,
          `CRL ${p.base}/crl/int.crl: HTTP 500`,
          `"override": {"revocation": "skip"}`,
          "ocisign policy init --revocation skip",
          `Revocation: GET ${p.base}/crl/int.crl 500 `,
        ]
      ) {
        assert.ok(failed.stderr.includes(part), `missing ${part}:\n${failed.stderr}`);
      }
      assert.match(
        failed.stderr,
        new RegExp(`Revocation: GET http://127\\.0\\.0\\.1:${port}/ocsp/\\S+ failed after \\d+ms`),
      );
      // without -v, no request is logged
      assert.ok(!(await run(...verify)).stderr.includes("Revocation: "));

      ok(await run(...init, "--revocation", "skip"));
      const doc = parseTrustPolicyDocument(
        await Deno.readTextFile(`${sb.configDir}/trustpolicy.json`),
      );
      assertEquals(doc.trustPolicies[0]!.signatureVerification, {
        level: "strict",
        override: { revocation: "skip" },
      });
      const requests = p.crlRequests.int;
      ok(await run(...verify));
      assertEquals(p.crlRequests.int, requests, "revocation was not checked");

      const bad = await run(...init, "--revocation", "never");
      assertEquals(bad.code, 2, bad.stderr);

      // the same for a blob: blob policy init --revocation skip
      await Deno.writeTextFile(`${sb.cwd}/app.txt`, "release\n");
      ok(await run("blob", "sign", "--key", "offline", "app.txt"));
      const blobInit = [
        "blob",
        "policy",
        "init",
        "--name",
        "offline",
        "--trust-store",
        "ca:wabbit",
      ];
      ok(await run(...blobInit, "--trusted-identity", "*", "--global", "--force"));
      const blobVerify = ["blob", "verify", "--signature", "app.txt.jws.sig", "app.txt"];
      const blobFailed = await run(...blobVerify);
      assertEquals(blobFailed.code, 3, blobFailed.stderr);
      assert.ok(
        blobFailed.stderr.includes(`"override": {"revocation": "skip"}`),
        blobFailed.stderr,
      );
      ok(
        await run(
          ...blobInit,
          "--trusted-identity",
          "*",
          "--global",
          "--force",
          "--revocation",
          "skip",
        ),
      );
      const blobDoc = JSON.parse(await Deno.readTextFile(`${sb.configDir}/trustpolicy.blob.json`));
      assertEquals(blobDoc.trustPolicies[0].signatureVerification, {
        level: "strict",
        override: { revocation: "skip" },
      });
      const blobRequests = p.crlRequests.int;
      ok(await run(...blobVerify));
      assertEquals(p.crlRequests.int, blobRequests, "revocation was not checked");
    } finally {
      await sb.close();
      await p.close();
    }
  },
});

Deno.test({
  name: "a CRL cache filled by a connected verify, carried to the offline station, verifies there",
  ignore: findPeer("openssl") === undefined,
  fn: async () => {
    const p = await makeRevocationPki();
    const sb = await signingSandbox();
    try {
      const cache = (side: string) => ({ env: { XDG_CACHE_HOME: `${sb.dir}/${side}-cache` } });
      // the OCSP responder is never there (nobody listens): the CRLs decide
      const run = (...argv: string[]) => sb.runWith(cache("connected"), ...argv);
      await addSigner(p, sb, run, "station");
      ok(
        await run(
          "policy",
          "init",
          "--name",
          "station",
          "--scope",
          "local/hello-world",
          "--trust-store",
          "ca:wabbit",
          "--trusted-identity",
          "*",
          "--force",
        ),
      );
      ok(await run("sign", "--key", "station", "--oci-layout", "./img:v1"));
      const verify = ["verify", "--oci-layout", "./img:v1", "--scope", "local/hello-world"];

      // Connected: the CRLs are downloaded and cached.
      ok(await run(...verify));
      const downloads = p.crlRequests.int;
      assert(downloads > 0, "the connected verify downloaded no CRL");

      // The station: no CRL can be fetched any more. With an empty cache it fails closed ...
      p.crlMode.int = "status500";
      p.crlMode.root = "status500";
      const empty = await sb.runWith(cache("station"), ...verify);
      assertEquals(empty.code, 3, empty.stderr);
      // ... with the carried cache it verifies, from the cache alone.
      await Deno.remove(`${sb.dir}/station-cache`, { recursive: true }).catch(() => {});
      await copyDir(`${sb.dir}/connected-cache`, `${sb.dir}/station-cache`);
      const requests = p.crlRequests.int;
      ok(await sb.runWith(cache("station"), ...verify));
      assertEquals(p.crlRequests.int, requests, "the station downloaded a CRL");
    } finally {
      await sb.close();
      await p.close();
    }
  },
});
