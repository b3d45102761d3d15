/**
 * The CRL cache against a real CA (`openssl ca -gencrl` CRLs on a loopback server) and the real
 * file system: a cached CRL saves the second download, an entry past its nextUpdate is
 * refreshed, and a corrupt or tampered entry is never trusted: it is reported, downloaded
 * again and replaced.
 */
import { fromBase64, fromHex, toHex } from "../../../lib/_internal/bytes.ts";
import { nodeFs } from "../../../lib/runtime/node_fs.ts";
import { checkChainRevocation, FsCrlCache } from "../../../lib/x509/revocation/mod.ts";
import type { CertRevocationResult, RevocationClient } from "../../../lib/x509/revocation/mod.ts";
import { parseCertificate } from "../../../lib/x509/certificate.ts";
import { assert, assertEquals } from "../../_helpers/assert.ts";
import { OPENSSL_MISSING } from "../../verify/_openssl_pki.ts";
import { makeRevocationPki } from "./_revocation_pki.ts";

const HOUR = 3600_000;

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function summary(r: CertRevocationResult): [string, string, string[]] {
  return [r.status, r.method, r.servers.map((s) => `${s.method}:${s.status}`)];
}

Deno.test({
  name: "checkChainRevocation() with a CRL cache downloads a CRL once and never trusts a bad entry",
  ignore: OPENSSL_MISSING,
}, async (t) => {
  const p = await makeRevocationPki();
  const dir = await Deno.makeTempDir({ prefix: "ocisign-crl-cache-" });
  try {
    const root = `${dir}/cache/crl`;
    const cache = new FsCrlCache(nodeFs, root);
    const url = `${p.base}/crl/int.crl`;
    const cacheErrors: string[] = [];
    const client: RevocationClient = {
      fetch,
      crlTimeoutMs: 1000,
      crlCache: cache,
      onCacheError: (e) => cacheErrors.push(e.message),
    };
    const leaf = await p.issueLeaf("/C=US/O=wabbit-networks.io/CN=CRL Signer", { crl: true });
    const chain = [leaf, p.int, p.root].map((c) => parseCertificate(c.pem));
    const check = async (now?: Date) =>
      (await checkChainRevocation(chain, {
        client,
        ...(now ? { now } : {}),
      }))[0]!;
    /** The CRL the CA serves now (not counted as a download). */
    const served = async () => {
      const counted = p.crlRequests.int;
      const crl = new Uint8Array(await (await fetch(url)).arrayBuffer());
      p.crlRequests.int = counted;
      return crl;
    };
    const downloads = () => p.crlRequests.int;

    await t.step("stores the CRL in notation's format and does not download it again", async () => {
      const before = downloads();
      assertEquals(summary(await check()), ["ok", "crl", ["crl:ok"]]);
      assertEquals(downloads(), before + 1);
      const path = await cache.path(url);
      const hash = new Uint8Array(
        await crypto.subtle.digest("SHA-256", new TextEncoder().encode(url)),
      );
      assertEquals(path, `${root}/${toHex(hash)}`);
      const file = JSON.parse(await Deno.readTextFile(path));
      assertEquals(Object.keys(file), ["baseCRL"]);
      const crl = await served();
      assertEquals(toHex(fromBase64(file.baseCRL)), toHex(crl));
      assertEquals((await Deno.stat(path)).mode! & 0o777, 0o600);
      assertEquals((await Deno.stat(root)).mode! & 0o777, 0o700);

      const cached = downloads();
      assertEquals(summary(await check()), ["ok", "crl", ["crl:ok"]]);
      assertEquals(downloads(), cached, "the second check used the cache");
      assertEquals(cacheErrors, []);
    });

    await t.step("refreshes an entry past its nextUpdate", async () => {
      // a genuine CRL that expired an hour ago, while the CA has since revoked the leaf
      await p.publishCrl("int", {
        lastUpdate: new Date(Date.now() - 2 * HOUR),
        nextUpdate: new Date(Date.now() - HOUR),
      });
      await cache.set(url, { base: await served() });
      await p.revoke("int", leaf);
      await p.publishCrl("int");
      const before = downloads();
      const r = await check();
      assertEquals(summary(r), ["revoked", "crl", ["crl:revoked"]]);
      assertEquals(downloads(), before + 1);
      assertEquals(cacheErrors, [], "a stale entry is a plain cache miss");
      const stored = (await cache.get(url))!;
      assertEquals(toHex(stored.base), toHex(await served()));
      // and the refreshed entry is used from now on
      const after = downloads();
      assertEquals(summary(await check()), ["revoked", "crl", ["crl:revoked"]]);
      assertEquals(downloads(), after);
    });

    await t.step("does not trust a tampered entry: it downloads the CRL again", async () => {
      // the attacker's edit: change the revoked serial number so that the leaf is not listed
      const path = await cache.path(url);
      const crl = (await cache.get(url))!.base;
      const serial = fromHex(parseCertificate(leaf.pem).serialNumber);
      // the revoked entry's INTEGER: tag, length, serial
      const at = indexOf(crl, Uint8Array.of(0x02, serial.length, ...serial));
      assert(at > 0, "the cached CRL lists the leaf's serial number");
      const tampered = crl.slice();
      tampered[at + 1 + serial.length]! ^= 0x01;
      await cache.set(url, { base: tampered });
      const before = downloads();
      assertEquals(summary(await check()), ["revoked", "crl", ["crl:revoked"]]);
      assertEquals(downloads(), before + 1);
      assertEquals(cacheErrors.length, 1);
      assert(cacheErrors[0]!.includes("is not trusted"), cacheErrors[0]);
      assert(cacheErrors[0]!.includes("CRL is not signed by CA"), cacheErrors[0]);
      // replaced by the genuine CRL
      assertEquals(toHex((await cache.get(url))!.base), toHex(await served()));
      cacheErrors.length = 0;

      // a CRL of another CA in the entry is not trusted either
      await p.publishCrl("int", { signedBy: "other" });
      await cache.set(url, { base: await served() });
      await p.publishCrl("int");
      assertEquals(summary(await check()), ["revoked", "crl", ["crl:revoked"]]);
      assertEquals(downloads(), before + 2);
      assert(cacheErrors[0]?.includes("is not trusted"), cacheErrors[0]);
      cacheErrors.length = 0;

      // garbage in the file: reported, downloaded, replaced
      for (const junk of ["not json", '{"baseCRL":"***"}', '{"baseCRL":"MAA="}', "[]"]) {
        await Deno.writeTextFile(path, junk);
        const n = downloads();
        assertEquals(summary(await check()), ["revoked", "crl", ["crl:revoked"]], junk);
        assertEquals(downloads(), n + 1, junk);
        assertEquals(cacheErrors.length, 1, junk);
        assert(/corrupt|malformed CRL/.test(cacheErrors[0]!), cacheErrors[0]);
        cacheErrors.length = 0;
        assertEquals(toHex((await cache.get(url))!.base), toHex(await served()));
      }
    });

    await t.step("an unwritable cache does not change the result", async () => {
      await Deno.remove(`${dir}/cache`, { recursive: true });
      await Deno.writeTextFile(`${dir}/cache`, "a file where the cache directory should be");
      const before = downloads();
      assertEquals(summary(await check()), ["revoked", "crl", ["crl:revoked"]]);
      assertEquals(downloads(), before + 1);
      assertEquals(cacheErrors.length, 1);
      assert(cacheErrors[0]!.includes("failed to store the CRL"), cacheErrors[0]);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
    await p.close();
  }
});
