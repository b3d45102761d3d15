/**
 * `ocisign sign --timestamp-url` checks the TSA chain's revocation status as notation does: a
 * real TSA (`openssl ts -reply`) whose certificate names OCSP and CRL endpoints served by a real
 * CA (`openssl ocsp`, `openssl ca -gencrl`) on loopback. A revoked or unknown status fails the
 * signing with notation's message and writes nothing; CRLs are cached in
 * `$XDG_CACHE_HOME/ocisign/crl` (else `~/.cache/ocisign/crl`) and reused by later `sign` and
 * `verify` runs.
 */
import { toHex } from "../../lib/_internal/bytes.ts";
import { assert, assertEquals } from "../_helpers/assert.ts";
import { ok, signingSandbox } from "../cli/commands/_fixture.ts";
import { OPENSSL_MISSING, startOpensslTsa, TSA_EXTENSIONS } from "../verify/_openssl_pki.ts";
import type { OpensslTsaServer } from "../verify/_openssl_pki.ts";
import { makeRevocationPki } from "../x509/revocation/_revocation_pki.ts";
import { describeRun } from "../_helpers/e2e.ts";
import { addStampedKey, snapshot, trustTsa } from "./_fixtures.ts";

async function cacheFile(dir: string, url: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(url));
  return `${dir}/ocisign/crl/${toHex(new Uint8Array(hash))}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "sign --timestamp-url fails when the TSA certificate is revoked or its status unknown",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeRevocationPki();
  const sb = await signingSandbox();
  const servers: OpensslTsaServer[] = [];
  try {
    // a non-revokable signing chain valid since an hour ago
    await addStampedKey(sb, p.pki);
    await trustTsa(sb, `${p.pki.dir}/${p.root.certFile}`);
    ok(await sb.run("policy", "import", "--force", "./tsa-policy.json"));
    const tsaWith = async (cn: string, endpoints: { ocsp?: boolean; crl?: boolean }) => {
      const tsa = await p.issueLeaf(
        `/C=US/O=wabbit-networks.io/CN=${cn}`,
        endpoints,
        TSA_EXTENSIONS,
      );
      const server = await startOpensslTsa(p.pki, { tsa, chain: [p.int, p.root] });
      servers.push(server);
      return { tsa, server };
    };
    const sign = (server: OpensslTsaServer, env: Record<string, string> = {}) =>
      sb.runWith(
        { env },
        "sign",
        "--oci-layout",
        "./img:v1",
        "--key",
        "stamped",
        "--timestamp-url",
        server.url,
        "--timestamp-root-cert",
        `${p.pki.dir}/${p.root.certFile}`,
      );
    const crlUrl = `${p.base}/crl/int.crl`;

    await t.step("caches the TSA's CRL; later sign and verify runs reuse it", async () => {
      const { server } = await tsaWith("CRL TSA", { crl: true });
      const xdg = `${sb.dir}/xdg-cache`;
      const before = p.crlRequests.int;
      ok(await sign(server, { XDG_CACHE_HOME: xdg }));
      assertEquals(p.crlRequests.int, before + 1);
      assert(await exists(await cacheFile(xdg, crlUrl)), "the CRL is cached under XDG_CACHE_HOME");
      ok(await sign(server, { XDG_CACHE_HOME: xdg }));
      assertEquals(p.crlRequests.int, before + 1, "the second sign used the cached CRL");
      // verify checks the same TSA chain (authentic timestamp) with the same cache
      const verified = ok(
        await sb.runWith(
          { env: { XDG_CACHE_HOME: xdg } },
          "verify",
          "--oci-layout",
          "./img:v1",
          "--scope",
          "local/hello-world",
        ),
      );
      assert(verified.stdout.startsWith("Successfully verified signature"), describeRun(verified));
      assertEquals(p.crlRequests.int, before + 1, "verify used the cached CRL");
      // two verify runs with an empty cache: one download
      const fresh = `${sb.dir}/verify-cache`;
      const verify = () =>
        sb.runWith(
          { env: { XDG_CACHE_HOME: fresh } },
          "verify",
          "--oci-layout",
          "./img:v1",
          "--scope",
          "local/hello-world",
        );
      ok(await verify());
      assertEquals(p.crlRequests.int, before + 2);
      const second = ok(await verify());
      assertEquals(p.crlRequests.int, before + 2, "the second verify used the cached CRL");
      assertEquals(second.stderr.includes("CRL cache"), false, describeRun(second));
      // a damaged entry is reported once, not trusted, downloaded again and replaced
      const entry = await cacheFile(fresh, crlUrl);
      await Deno.writeTextFile(entry, '{"baseCRL":"MAA="}');
      const damaged = ok(await verify());
      assertEquals(p.crlRequests.int, before + 3);
      assertEquals(damaged.stderr.match(/Warning: CRL cache error discarded: /g)?.length, 1);
      assert(damaged.stderr.includes("malformed CRL"), describeRun(damaged));
      ok(await verify());
      assertEquals(p.crlRequests.int, before + 3, "the entry was replaced by the downloaded CRL");
      // without XDG_CACHE_HOME the cache is ~/.cache/ocisign/crl
      ok(await sign(server));
      assertEquals(p.crlRequests.int, before + 4);
      assert(await exists(await cacheFile(`${sb.home}/.cache`, crlUrl)));
    });

    const { tsa, server } = await tsaWith("Revocable TSA", { ocsp: true, crl: true });
    const subject = `"CN=Revocable TSA,O=wabbit-networks.io,C=US"`;

    await t.step(
      "asks the TSA's OCSP responder and signs while the certificate is good",
      async () => {
        const before = { int: p.ocspRequests.int, root: p.ocspRequests.root };
        ok(await sign(server));
        assertEquals(p.ocspRequests.int, before.int + 1);
        assertEquals(p.ocspRequests.root, before.root + 1, "the TSA intermediate is checked too");
      },
    );

    const fails = async (message: string, env: Record<string, string> = {}) => {
      const layout = await snapshot(`${sb.cwd}/img`);
      const r = await sign(server, env);
      assertEquals(r.code, 7, describeRun(r));
      assert(r.stderr.includes(message), describeRun(r));
      assertEquals(r.stdout, "");
      assertEquals(await snapshot(`${sb.cwd}/img`), layout);
    };

    await t.step("fails when no revocation status can be established", async () => {
      p.ocspMode.int = "status500";
      p.crlMode.int = "status500";
      try {
        // an empty CRL cache: the CRL cached by earlier runs would answer
        await fails(
          `timestamp: timestamping certificate with subject ${subject} revocation status is unknown`,
          { XDG_CACHE_HOME: `${sb.dir}/empty-cache` },
        );
      } finally {
        p.ocspMode.int = "ok";
        p.crlMode.int = "ok";
      }
    });

    await t.step("fails once the TSA certificate is revoked", async () => {
      await p.revoke("int", tsa, "keyCompromise");
      const message = `timestamp: timestamping certificate with subject ${subject} is revoked`;
      await fails(message);
      // and via the CRL when the OCSP responder is down
      await p.publishCrl("int");
      p.ocspMode.int = "status500";
      try {
        await fails(message, { XDG_CACHE_HOME: `${sb.dir}/other-cache` });
      } finally {
        p.ocspMode.int = "ok";
      }
    });
  } finally {
    for (const s of servers) await s.stop();
    await sb.close();
    await p.close();
  }
});
